import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAEMON_JSON, daemonJson, docker, dockerUsers, NUKE_SCRIPT } from '../../modules/docker.js';
import { allowRules, UFW_AFTER_RULES, UFW_BLOCK_MARKER, ufwDockerRules } from '../../modules/docker/firewall.js';
import { dockerFlavour } from '../../modules/docker/packages.js';
import { defaultConfig, parseConfig, type Config } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import type { ModuleContext } from '../../src/engine/module.js';
import type { SystemFacts } from '../../src/facts/system.js';
import { withBlock } from '../../src/resources/block.js';
import type { Decl } from '../../src/resources/types.js';
import { planWith } from './support/plan.js';

const BOOKWORM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const TRIXIE: SystemFacts = { ...BOOKWORM, versionId: '13', codename: 'trixie' };
const NOBLE: SystemFacts = { ...BOOKWORM, distro: 'ubuntu', versionId: '24.04', codename: 'noble' };

function ctxWith(docker: Partial<Config['docker']> = {}, system: SystemFacts = BOOKWORM, modules = ['baseline', 'user', 'security', 'docker'], allow: string[] = []): ModuleContext {
  const base = defaultConfig();
  const config: Config = { ...base, docker: { ...base.docker, ...docker }, security: { ...base.security, ufw: { ...base.security.ufw, allow } } };
  return { config, system, modules };
}
const decls = (ctx: ModuleContext): Decl[] => docker.resources(ctx);
const packagesOf = (ds: Decl[]): string[] => ds.filter((d) => d.kind === 'package').map((d) => d.id);
const byKey = (ds: Decl[], key: string): Decl | undefined => ds.find((d) => `${d.kind}:${d.id}` === key);

describe('docker packages per source and suite', () => {
  it('gives bookworm docker.io and Compose v1 (docker-compose), and says so in the notes', () => {
    const ctx = ctxWith();
    assert.deepEqual(packagesOf(decls(ctx)), ['docker.io', 'docker-compose']);
    assert.match(docker.notes!(ctx)[0]!, /Compose v1 as `docker-compose` \(docker-compose\); for Compose v2 on this suite use source: upstream/);
  });

  it('gives trixie docker.io with its CLI and buildx, and Compose v2 from docker-compose', () => {
    const ctx = ctxWith({}, TRIXIE);
    assert.deepEqual(packagesOf(decls(ctx)), ['docker.io', 'docker-cli', 'docker-buildx', 'docker-compose']);
    assert.match(docker.notes!(ctx)[0]!, /Compose v2 as `docker compose` \(docker-compose\)$/);
  });

  it('gives Ubuntu docker.io and the docker-compose-v2 plugin', () => {
    assert.deepEqual(packagesOf(decls(ctxWith({}, NOBLE))), ['docker.io', 'docker-buildx', 'docker-compose-v2']);
  });

  it('leaves Compose out when install_compose is off', () => {
    assert.deepEqual(packagesOf(decls(ctxWith({ install_compose: false }, TRIXIE))), ['docker.io', 'docker-cli', 'docker-buildx']);
    assert.equal(dockerFlavour({ ...defaultConfig().docker, install_compose: false }, BOOKWORM).compose, null);
  });

  it("keeps /var/lib/docker on purge with a dpkg stat override declared before docker.io, so rollback lifts it last", () => {
    const ds = decls(ctxWith());
    const keep = ds.findIndex((d) => d.kind === 'command');
    assert.ok(keep >= 0 && keep < ds.findIndex((d) => d.id === 'docker.io'));
    assert.deepEqual(ds[keep]!.desired.undo, ['dpkg-statoverride', '--remove', NUKE_SCRIPT]);
  });

  it('adds exactly Docker\'s repository for upstream: key, deb822 sources with Signed-By, its apt update, then docker-ce and the plugins', () => {
    const ds = decls(ctxWith({ source: 'upstream' }, TRIXIE));
    const key = ds[0]!;
    assert.equal(key.kind, 'command');
    assert.deepEqual((key.options as { run: string[] }).run, ['curl', '-fsSL', '--proto', '=https', '--retry', '3', '--create-dirs', '-o', '/etc/apt/keyrings/docker.asc', 'https://download.docker.com/linux/debian/gpg']);
    const sources = ds[1]!;
    assert.equal(sources.id, '/etc/apt/sources.list.d/docker.sources');
    assert.equal((sources.options as { content: string }).content, [
      '# Managed by Phanes: the docker repository.',
      'Types: deb',
      'URIs: https://download.docker.com/linux/debian',
      'Suites: trixie',
      'Components: stable',
      'Signed-By: /etc/apt/keyrings/docker.asc',
      '',
    ].join('\n'));
    assert.deepEqual(sources.notify, ['apt-update:docker']);
    assert.equal(`${ds[2]!.kind}:${ds[2]!.id}`, 'apt-update:docker');
    assert.deepEqual(packagesOf(ds), ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin']);
    assert.equal(ds.some((d) => d.kind === 'command' && d.id.includes('/var/lib/docker')), false, 'docker-ce never deletes /var/lib/docker on purge');
    assert.ok(byKey(ds, 'directory:/etc/docker'));
  });

  it('uses the ubuntu path and codename of Docker\'s repository on Ubuntu', () => {
    const ds = decls(ctxWith({ source: 'upstream' }, NOBLE));
    assert.match((ds[1]!.options as { content: string }).content, /^URIs: https:\/\/download\.docker\.com\/linux\/ubuntu\nSuites: noble\n/m);
  });

  it('declares nothing when docker is switched off', () => {
    assert.deepEqual(decls(ctxWith({ enabled: false })), []);
  });

  it('refuses a distribution it has no packages for, and upstream without a codename, before any change', () => {
    assert.match(docker.preflight!(ctxWith({}, { ...BOOKWORM, distro: 'fedora' }))[0]!, /Debian and Ubuntu only, not fedora\. Set docker\.enabled: false/);
    assert.match(docker.preflight!(ctxWith({ source: 'upstream' }, { ...BOOKWORM, codename: '' }))[0]!, /docker\.source is upstream.*Set docker\.source: distro/);
    assert.deepEqual(docker.preflight!(ctxWith()), []);
  });
});

describe('docker daemon.json', () => {
  it('renders json-file logs with the configured rotation, max-file as a string', () => {
    assert.deepEqual(JSON.parse(daemonJson({ ...defaultConfig().docker, log_max_size: '50m', log_max_file: 5 })), {
      'log-driver': 'json-file', 'log-opts': { 'max-size': '50m', 'max-file': '5' },
    });
  });

  it('is checked by dockerd --validate where dockerd has it, and restarts docker when it changes', () => {
    const trixie = byKey(decls(ctxWith({}, TRIXIE)), `file:${DAEMON_JSON}`)!;
    assert.deepEqual((trixie.options as { validate?: string[] }).validate, ['dockerd', '--validate', '--config-file', '{}']);
    assert.deepEqual(trixie.notify, ['service:docker.service']);
    const bookworm = byKey(decls(ctxWith()), `file:${DAEMON_JSON}`)!;
    assert.equal((bookworm.options as { validate?: string[] }).validate, undefined);
    assert.match(docker.notes!(ctxWith()).join('\n'), /this dockerd has no --validate/);
  });

  it('rejects a log size without a unit and a max-file of 0, naming the keys', () => {
    assert.throws(() => parseConfig('docker:\n  log_max_size: 10MB\n  log_max_file: 0\n', { env: {} }), (e: unknown) =>
      e instanceof ConfigError && e.issues.some((i) => i.path === 'docker.log_max_size') && e.issues.some((i) => i.path === 'docker.log_max_file'));
  });
});

describe('docker group', () => {
  it('adds the login user and docker.users once each, after the packages that create the group', () => {
    const ctx = ctxWith({ users: ['ci', 'deploy'] });
    assert.deepEqual(dockerUsers(ctx.config), ['deploy', 'ci']);
    const ds = decls(ctx);
    const members = ds.filter((d) => d.kind === 'group-member').map((d) => d.id);
    assert.deepEqual(members, ['docker:deploy', 'docker:ci']);
    assert.ok(ds.findIndex((d) => d.kind === 'group-member') > ds.findIndex((d) => d.id === 'docker.io'));
  });

  it('leaves the login user out when login_user is off', () => {
    assert.deepEqual(dockerUsers(ctxWith({ login_user: false }).config), []);
  });

  it('plans to add a user missing from the group and nothing for one already in it', async () => {
    const group = 'root:x:0:\ndocker:x:998:ci\n';
    const { planned } = await planWith({ files: { '/etc/group': { content: group }, '/etc/passwd': { content: 'deploy:x:1000:1000::/home/deploy:/bin/bash\nci:x:1001:1001::/home/ci:/bin/bash\n' } } },
      decls(ctxWith({ users: ['ci'] })).filter((d) => d.kind === 'group-member'));
    assert.deepEqual(planned.map((s) => [s.label, s.changes]), [['deploy in group docker', ['add']]]);
  });
});

describe('docker behind ufw', () => {
  it('appends the DOCKER-USER block to after.rules, then ufw reload, only when security manages ufw in the run', () => {
    const ds = decls(ctxWith());
    const blockDecl = byKey(ds, `block:${UFW_AFTER_RULES}#${UFW_BLOCK_MARKER}`)!;
    assert.deepEqual(blockDecl.desired.reload, ['ufw', 'reload']);
    assert.equal(ds.at(-1), blockDecl);
    assert.match(docker.notes!(ctxWith()).join('\n'), /published container ports stay behind ufw/);
    for (const ctx of [ctxWith({}, BOOKWORM, ['baseline', 'docker']), ctxWith({ ufw: false })]) {
      assert.equal(decls(ctx).some((d) => d.kind === 'block'), false);
      assert.match(docker.notes!(ctx).join('\n'), /bypass/);
    }
  });

  it('sends new connections into containers through ufw-user-forward and drops the rest, in that order', () => {
    const rules = ufwDockerRules([]).split('\n').filter((l) => l.startsWith('-A') || l.startsWith(':') || l === '*filter' || l === 'COMMIT');
    assert.deepEqual(rules, [
      '*filter',
      ':ufw-user-forward - [0:0]',
      ':DOCKER-USER - [0:0]',
      ':phanes-docker-deny - [0:0]',
      '-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-A DOCKER-USER -m conntrack --ctstate INVALID -j DROP',
      '-A DOCKER-USER -i docker0 -j RETURN',
      '-A DOCKER-USER -i br-+ -j RETURN',
      '-A DOCKER-USER -j ufw-user-forward',
      '-A DOCKER-USER -o docker0 -m conntrack --ctstate NEW -j phanes-docker-deny',
      '-A DOCKER-USER -o br-+ -m conntrack --ctstate NEW -j phanes-docker-deny',
      '-A DOCKER-USER -j RETURN',
      '-A phanes-docker-deny -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW DOCKER BLOCK] "',
      '-A phanes-docker-deny -j DROP',
      'COMMIT',
    ]);
  });

  it('lets the ports of security.ufw.allow through on the published (original) port, tcp and udp for a bare port', () => {
    assert.deepEqual(allowRules(['8080/tcp', '443', '60000:61000/udp']), [
      { proto: 'tcp', port: '8080' }, { proto: 'tcp', port: '443' }, { proto: 'udp', port: '443' }, { proto: 'udp', port: '60000:61000' },
    ]);
    const text = ufwDockerRules(['8080/tcp']);
    const lines = text.split('\n');
    const allow = lines.indexOf('-A DOCKER-USER -p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN');
    assert.ok(allow > lines.indexOf('-A DOCKER-USER -j ufw-user-forward'));
    assert.ok(allow < lines.indexOf('-A DOCKER-USER -o docker0 -m conntrack --ctstate NEW -j phanes-docker-deny'));
    const block = byKey(decls(ctxWith({}, BOOKWORM, undefined, ['8080/tcp'])), `block:${UFW_AFTER_RULES}#${UFW_BLOCK_MARKER}`)!;
    assert.equal((block.options as { text: string }).text, text.replace(/\n+$/, ''));
  });
});

describe('the block kind', () => {
  const file = ['*filter', 'COMMIT'];
  it('appends a marked block, replaces it in place, and takes it out leaving the file as it was', () => {
    const added = withBlock(file, 'm', 'a\nb');
    assert.deepEqual(added, ['*filter', 'COMMIT', '# BEGIN m', 'a', 'b', '# END m']);
    assert.deepEqual(withBlock([...added, 'tail'], 'm', 'c'), ['*filter', 'COMMIT', '# BEGIN m', 'c', '# END m', 'tail']);
    assert.deepEqual(withBlock(added, 'm', null), file);
    assert.deepEqual(withBlock(file, 'm', null), file);
  });

  it('plans an append with a diff of the block when the file lacks it, and nothing when it has it', async () => {
    const ds = decls(ctxWith()).filter((d) => d.kind === 'block');
    const text = (ds[0]!.options as { text: string }).text;
    const fresh = await planWith({ files: { [UFW_AFTER_RULES]: { content: '*filter\nCOMMIT\n' } } }, ds);
    assert.deepEqual(fresh.planned.map((s) => s.changes), [['append', 'then ufw reload']]);
    assert.match(fresh.planned[0]!.diff ?? '', /^\+-A DOCKER-USER -j ufw-user-forward$/m);
    const done = await planWith({ files: { [UFW_AFTER_RULES]: { content: `*filter\nCOMMIT\n# BEGIN ${UFW_BLOCK_MARKER}\n${text}\n# END ${UFW_BLOCK_MARKER}\n` } } }, ds);
    assert.deepEqual(done.planned, []);
  });
});
