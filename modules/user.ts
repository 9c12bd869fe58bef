import { loginKeys, type Config } from '../src/config/index.js';
import type { Module } from '../src/engine/module.js';
import { directory } from '../src/resources/directory.js';
import { file } from '../src/resources/file.js';
import { pkg } from '../src/resources/package.js';
import type { Decl } from '../src/resources/types.js';
import { user as userDecl } from '../src/resources/user.js';

/**
 * Whether the sudoers drop-in lets the user run sudo without a password. `auto` follows the
 * password: a user with none (key-only login) could never answer sudo's prompt, so it gets
 * NOPASSWD, as cloud-init gives its default user; once `password_hash` sets one, sudo asks for it.
 */
export function sudoWithoutPassword(u: Config['user']): boolean {
  return u.sudo_nopasswd === 'auto' ? u.password_hash === '' : u.sudo_nopasswd;
}

export function sudoersLine(name: string, u: Config['user']): string {
  return `# Managed by Phanes: sudo for ${name}\n${name} ALL=(ALL:ALL) ${sudoWithoutPassword(u) ? 'NOPASSWD: ' : ''}ALL\n`;
}

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
      ...(u.password_hash ? { passwordHash: u.password_hash } : {}),
    }));
    if (keys.length) {
      decls.push(
        directory(`${home}/.ssh`, { mode: 0o700, owner: name }),
        file(`${home}/.ssh/authorized_keys`, { content: `${keys.join('\n')}\n`, mode: 0o600, owner: name }),
      );
    }
    if (u.sudo) {
      decls.push(file(`/etc/sudoers.d/phanes-${name}`, {
        content: sudoersLine(name, u),
        mode: 0o440,
        validate: ['visudo', '-cf', '{}'],
      }));
    }
    return decls;
  },
  preflight({ config }) {
    const out: string[] = [];
    if (config.user.lock_password && loginKeys(config).length === 0) {
      out.push(`user.lock_password is true but no SSH key is configured for ${config.username}: nobody could log in as that user. Set ssh_public_key (or user.authorized_keys), or set user.lock_password: false.`);
    }
    if (config.user.lock_password && config.user.password_hash) {
      out.push(`user.lock_password is true and user.password_hash sets a password: a locked password cannot be used, so the hash would never work. Remove one of the two.`);
    }
    return out;
  },
  async hostPreflight({ config }, host) {
    const passwd = (await host.readFiles(['/etc/passwd'])).get('/etc/passwd');
    const problem = passwd ? systemAccountProblem(config.username, passwd.toString('utf8')) : undefined;
    return problem ? [problem] : [];
  },
};

/** A login user that is one of the host's system accounts (uid below 1000, or nobody's range) would be taken over. */
export function systemAccountProblem(name: string, passwd: string): string | undefined {
  const entry = passwd.split('\n').map((l) => l.split(':')).find((f) => f[0] === name);
  const uid = Number(entry?.[2]);
  if (!entry || !Number.isInteger(uid) || (uid >= 1000 && uid < 60000)) return undefined;
  return `username: ${name} is a system account on this host (uid ${uid}); Phanes would give it a login shell, SSH keys and sudo. Use a name of your own, such as deploy`;
}
