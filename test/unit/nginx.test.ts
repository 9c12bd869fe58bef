import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSite, DISABLED_DEFAULT, nginx, nginxRepo, siteConf, siteFile } from '../../modules/nginx.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { ModuleContext } from '../../src/engine/module.js';
import type { SystemFacts } from '../../src/facts/system.js';
import { sourcesFile } from '../../src/resources/apt-repo.js';
import { applyModule } from './support/apply-module.js';
import { MemoryHost } from './support/memory-host.js';
import { memoryRecorder } from './support/memory-recorder.js';

const TRIXIE: SystemFacts = { distro: 'debian', versionId: '13', codename: 'trixie', hostname: 'h', container: null, root: true, procSysMounts: [] };
const SITES: Config['nginx']['sites'] = [
  { server_name: 'static.example.com', root: '/srv/static' },
  { server_name: '*.app.example.com', proxy_pass: 'http://127.0.0.1:3000' },
];
const ctxWith = (conf: Partial<Config['nginx']> = {}, modules = ['nginx']): ModuleContext => {
  const config = defaultConfig();
  return { config: { ...config, nginx: { ...config.nginx, sites: SITES, ...conf } }, system: TRIXIE, modules };
};
const keys = (ctx: ModuleContext): string[] => nginx.resources(ctx).map((d) => `${d.kind}:${d.id}`);

describe('nginx rendering', () => {
  it('serves a root as static files with try_files', () => {
    const text = siteConf(SITES[0]!);
    assert.match(text, /^\tserver_name static\.example\.com;$/m);
    assert.match(text, /^\troot \/srv\/static;$/m);
    assert.match(text, /^\t\ttry_files \$uri \$uri\/ =404;$/m);
    assert.doesNotMatch(text, /proxy_pass/);
  });

  it('passes a proxy site to its upstream with the forwarding headers', () => {
    const text = siteConf(SITES[1]!);
    assert.match(text, /^\t\tproxy_pass http:\/\/127\.0\.0\.1:3000;$/m);
    assert.match(text, /^\t\tproxy_set_header Host \$host;$/m);
    assert.doesNotMatch(text, /^\troot /m);
  });

  it('balances braces and listens on port 80 for IPv4 and IPv6', () => {
    for (const site of SITES) {
      const text = siteConf(site);
      assert.equal(text.split('{').length, text.split('}').length);
      assert.match(text, /^\tlisten 80;$/m);
      assert.match(text, /^\tlisten \[::\]:80;$/m);
    }
  });
});

describe('nginx planning', () => {
  it('declares the package, the default site removed, one conf.d file per site checked by nginx -t, and the service', () => {
    const decls = nginx.resources(ctxWith());
    assert.deepEqual(decls.map((d) => `${d.kind}:${d.id}`), [
      'package:nginx-common', 'package:nginx', 'file:/etc/nginx/sites-available/default',
      'file:/etc/nginx/conf.d/phanes-static.example.com.conf', 'file:/etc/nginx/conf.d/phanes-_.app.example.com.conf', 'service:nginx',
    ]);
    assert.equal((decls[2]!.options as { content: string }).content, DISABLED_DEFAULT);
    for (const d of decls.slice(2, 5)) assert.deepEqual(d.notify, ['service:nginx']);
    assert.deepEqual((decls[3]!.options as { check?: string[] }).check, ['nginx', '-t', '-q']);
    assert.deepEqual(decls[5]!.options, { onChange: 'reload', verify: ['nginx', '-t', '-q'] });
    assert.doesNotMatch(DISABLED_DEFAULT, /server|listen/, 'the emptied default site serves nothing');
  });

  it('opens 80 and 443 when security manages ufw in the run', () => {
    assert.deepEqual(keys(ctxWith({}, ['security', 'nginx'])).filter((k) => k.startsWith('ufw')), ['ufw:allow 80/tcp', 'ufw:allow 443/tcp']);
  });

  it('keeps 80 and 443 open in a run without security when ufw is on the host, so apply --modules nginx prunes nothing', () => {
    const withUfw = { ...TRIXIE, ssh: { ufw: { enabled: true, defaultInput: 'drop', rules: [] } } as unknown as SystemFacts['ssh'] };
    assert.deepEqual(keys({ ...ctxWith(), system: withUfw }).filter((k) => k.startsWith('ufw')), ['ufw:allow 80/tcp', 'ufw:allow 443/tcp']);
    assert.deepEqual(keys(ctxWith()).filter((k) => k.startsWith('ufw')), [], 'no ufw on the host and none in the run: no rules');
  });

  it('declares nothing when disabled', () => {
    assert.deepEqual(nginx.resources(ctxWith({ enabled: false })), []);
  });

  it("adds nginx.org's repository for the running release, and disables its conf.d default, with source: upstream", () => {
    assert.deepEqual(keys(ctxWith({ source: 'upstream' })).slice(0, 5), [
      'command:fetch nginx signing key', 'file:/etc/apt/sources.list.d/nginx.sources', 'apt-update:nginx', 'package:nginx', `file:${defaultSite('upstream')}`,
    ]);
    assert.equal(defaultSite('upstream'), '/etc/nginx/conf.d/default.conf');
    const sources = sourcesFile(nginxRepo(TRIXIE));
    assert.match(sources, /^URIs: https:\/\/nginx\.org\/packages\/debian$/m);
    assert.match(sources, /^Suites: trixie$/m);
    assert.match(sources, /^Components: nginx$/m);
    assert.match(sources, /^Signed-By: \/etc\/apt\/keyrings\/nginx\.asc$/m);
    assert.match(sourcesFile(nginxRepo({ distro: 'ubuntu', codename: 'noble' })), /^URIs: https:\/\/nginx\.org\/packages\/ubuntu$/m);
  });

  it('refuses a site with neither root nor proxy_pass, and a server_name listed twice', () => {
    const problems = nginx.preflight!(ctxWith({ sites: [{ server_name: 'a.test' }, { server_name: 'b.test', root: '/b' }, { server_name: 'b.test', root: '/c' }] }));
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^nginx\.sites\[0\] \(a\.test\) needs exactly one of root .* or proxy_pass/);
    assert.match(problems[1]!, /^nginx\.sites\[2\]: server_name b\.test is listed twice/);
  });

  it('names conf.d files after the server name', () => {
    assert.equal(siteFile('*.example.com'), '/etc/nginx/conf.d/phanes-_.example.com.conf');
  });
});

describe('nginx applying', () => {
  const files = (d: { kind: string; id: string }): boolean => d.kind === 'file' && d.id !== defaultSite('distro');

  it('takes a site file back out when nginx -t rejects it, and journals the failure', async () => {
    const host = new MemoryHost();
    host.failing = [/^nginx -t/];
    const { result, rec } = await applyModule(host, nginx, ctxWith(), files);
    assert.equal(result.ok, false);
    assert.equal(host.text(siteFile('static.example.com')), undefined);
    assert.ok(rec.events.some((e) => e.type === 'ChangeFailed' && e.data.label === `file ${siteFile('static.example.com')}`));
  });

  it('puts the previous version of a changed site back when nginx -t rejects the new one', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    await applyModule(host, nginx, ctxWith(), files, rec);
    const good = host.text(siteFile('static.example.com'));
    host.failing = [/^nginx -t/];
    const { result } = await applyModule(host, nginx, ctxWith({ sites: [{ server_name: 'static.example.com', root: '/srv/other' }] }), files, rec);
    assert.equal(result.ok, false);
    assert.equal(host.text(siteFile('static.example.com')), good);
  });
});
