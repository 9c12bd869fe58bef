import { loginKeys } from '../src/config/index.js';
import type { Module } from '../src/engine/module.js';
import { directory } from '../src/resources/directory.js';
import { file } from '../src/resources/file.js';
import { pkg } from '../src/resources/package.js';
import type { Decl } from '../src/resources/types.js';
import { user as userDecl } from '../src/resources/user.js';

export const user: Module = {
  name: 'user',
  description: 'sudo user with SSH keys',
  resources({ config }) {
    const name = config.username;
    const home = `/home/${name}`;
    const keys = loginKeys(config);
    const u = config.user;
    const decls: Decl[] = [];
    if (u.sudo) decls.push(pkg('sudo'));
    decls.push(userDecl(name, {
      shell: u.shell,
      groups: [...new Set([...(u.sudo ? ['sudo'] : []), ...u.groups])],
      ...(u.lock_password ? { locked: true } : {}),
    }));
    if (keys.length) {
      decls.push(
        directory(`${home}/.ssh`, { mode: 0o700, owner: name }),
        file(`${home}/.ssh/authorized_keys`, { content: `${keys.join('\n')}\n`, mode: 0o600, owner: name }),
      );
    }
    if (u.sudo) {
      decls.push(file(`/etc/sudoers.d/phanes-${name}`, {
        content: `# Managed by Phanes: sudo for ${name}\n${name} ALL=(ALL:ALL) ${u.sudo_nopasswd ? 'NOPASSWD: ' : ''}ALL\n`,
        mode: 0o440,
        validate: ['visudo', '-cf', '{}'],
      }));
    }
    return decls;
  },
  preflight({ config }) {
    if (config.user.lock_password && loginKeys(config).length === 0) {
      return [`user.lock_password is true but no SSH key is configured for ${config.username}: nobody could log in as that user. Set ssh_public_key (or user.authorized_keys), or set user.lock_password: false.`];
    }
    return [];
  },
};
