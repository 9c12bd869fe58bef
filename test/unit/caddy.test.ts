import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CADDY_REPO, CADDYFILE, caddy, caddyfile } from '../../modules/caddy.js';
import { nginx } from '../../modules/nginx.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { ModuleContext } from '../../src/engine/module.js';
import type { SystemFacts } from '../../src/facts/system.js';
import { sourcesFile } from '../../src/resources/apt-repo.js';
import { applyModule } from './support/apply-module.js';
import { MemoryHost } from './support/memory-host.js';

const DEBIAN: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const SITES: Config['caddy']['sites'] = [
  { host: 'static.example.com', root: '/srv/static' },
  { host: 'app.example.com', reverse_proxy: '127.0.0.1:3000', tls_internal: true },
];
const ctxWith = (caddyConf: Partial<Config['caddy']> = {}, modules = ['caddy']): ModuleContext => {
  const config = defaultConfig();
  return { config: { ...config, caddy: { ...config.caddy, sites: SITES, ...caddyConf } }, system: DEBIAN, modules };
};
const keys = (ctx: ModuleContext): string[] => caddy.resources(ctx).map((d) => `${d.kind}:${d.id}`);

describe('caddy rendering', () => {
  it('writes one site block per site: a file server for a root, a reverse proxy for an upstream, tls internal when asked', () => {
    assert.equal(caddyfile(SITES), [
      '# Managed by Phanes from caddy.sites: edits here are reported as drift and replaced on the next apply.',
      '',
      'static.example.com {',
      '\troot * /srv/static',
      '\tfile_server',
      '}',
      '',
      'app.example.com {',
      '\ttls internal',
      '\treverse_proxy 127.0.0.1:3000',
      '}',
      '',
    ].join('\n'));
  });

  it('writes only the header when there are no sites', () => {
    assert.equal(caddyfile([]).trim(), '# Managed by Phanes from caddy.sites: edits here are reported as drift and replaced on the next apply.');
  });
});

describe('caddy planning', () => {
  it('declares the package, the Caddyfile validated before install and notifying a reload, and the service', () => {
    const decls = caddy.resources(ctxWith());
    assert.deepEqual(decls.map((d) => `${d.kind}:${d.id}`), ['package:caddy', `file:${CADDYFILE}`, 'service:caddy']);
    const file = decls[1]!;
    assert.deepEqual((file.options as { validate?: string[] }).validate, ['caddy', 'validate', '--adapter', 'caddyfile', '--config', '{}']);
    assert.deepEqual(file.notify, ['service:caddy']);
    assert.deepEqual(decls[2]!.options, { onChange: 'reload', verify: ['caddy', 'validate', '--adapter', 'caddyfile', '--config', CADDYFILE] });
  });

  it('opens 80 and 443 when security manages ufw in the run, and not otherwise', () => {
    assert.deepEqual(keys(ctxWith({}, ['security', 'caddy'])).filter((k) => k.startsWith('ufw')), ['ufw:allow 80/tcp', 'ufw:allow 443/tcp']);
    assert.deepEqual(keys(ctxWith()).filter((k) => k.startsWith('ufw')), []);
  });

  it('declares nothing when disabled', () => {
    assert.deepEqual(caddy.resources(ctxWith({ enabled: false })), []);
  });

  it("adds Caddy's Cloudsmith repository before the package with source: upstream", () => {
    assert.deepEqual(keys(ctxWith({ source: 'upstream' })), [
      'command:fetch caddy signing key', 'file:/etc/apt/sources.list.d/caddy.sources', 'apt-update:caddy', 'package:caddy', `file:${CADDYFILE}`, 'service:caddy',
    ]);
    assert.equal(sourcesFile(CADDY_REPO), [
      '# Managed by Phanes: the caddy repository.',
      'Types: deb',
      'URIs: https://dl.cloudsmith.io/public/caddy/stable/deb/debian',
      'Suites: any-version',
      'Components: main',
      'Signed-By: /etc/apt/keyrings/caddy.asc',
      '',
    ].join('\n'));
  });

  it('refuses a site with both or neither of root and reverse_proxy, and a host listed twice', () => {
    const problems = caddy.preflight!(ctxWith({ sites: [
      { host: 'a.test' }, { host: 'b.test', root: '/srv/b', reverse_proxy: '127.0.0.1:1' }, { host: 'c.test', root: '/srv/c' }, { host: 'c.test', root: '/srv/d' },
    ] }));
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /^caddy\.sites\[0\] \(a\.test\) needs exactly one of root .* or reverse_proxy .*got neither/);
    assert.match(problems[1]!, /^caddy\.sites\[1\] .*got both/);
    assert.match(problems[2]!, /^caddy\.sites\[3\]: host c\.test is listed twice/);
  });

  it('refuses nginx and caddy together in one run, naming both keys', () => {
    const problems = nginx.preflight!(ctxWith({}, ['nginx', 'caddy']));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /nginx\.enabled and caddy\.enabled are both true/);
    assert.deepEqual(nginx.preflight!(ctxWith({}, ['nginx'])), []);
  });
});

describe('caddy applying', () => {
  it('never installs a Caddyfile that caddy validate rejects: the serving one stays', async () => {
    const host = new MemoryHost();
    host.put(CADDYFILE, ':80 {\n\tfile_server\n}\n');
    host.failing = [/^caddy validate/];
    const { result, rec } = await applyModule(host, caddy, ctxWith(), (d) => d.kind === 'file');
    assert.equal(result.ok, false);
    assert.equal(host.text(CADDYFILE), ':80 {\n\tfile_server\n}\n');
    assert.ok(rec.events.some((e) => e.type === 'ChangeFailed' && e.data.label === `file ${CADDYFILE}`));
  });

  it('validates a temp copy beside the Caddyfile, then installs it', async () => {
    const host = new MemoryHost();
    const { result } = await applyModule(host, caddy, ctxWith(), (d) => d.kind === 'file');
    assert.equal(result.ok, true, JSON.stringify(result.failure));
    assert.equal(host.text(CADDYFILE), caddyfile(SITES));
    assert.ok(host.runs.some((r) => /^caddy validate --adapter caddyfile --config \/etc\/caddy\/\.Caddyfile\.phanes-validate$/.test(r)), host.runs.join('\n'));
  });
});
