import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGENTS, agentConfig, monitoring, NETDATA_CONF, NODE_EXPORTER_DEFAULTS } from '../../modules/monitoring.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { ModuleContext } from '../../src/engine/module.js';
import type { SystemFacts } from '../../src/facts/system.js';
import type { CommandOptions } from '../../src/resources/command.js';
import type { FileOptions } from '../../src/resources/file.js';
import { keyOf, type Decl } from '../../src/resources/types.js';
import { parseUfw, requiredTuples, stateOf, ufwAllow, ufwCommand, UFW_FILES } from '../../src/resources/ufw.js';
import { ufwSource } from '../../src/resources/ufw-source.js';
import { planWith } from './support/plan.js';

const BOOKWORM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const TRIXIE: SystemFacts = { ...BOOKWORM, versionId: '13', codename: 'trixie' };
const NOBLE: SystemFacts = { ...BOOKWORM, distro: 'ubuntu', versionId: '24.04', codename: 'noble' };

type Monitoring = Config['monitoring'];
const ctxFor = (m: Partial<Monitoring> = {}, system: SystemFacts = BOOKWORM, modules = ['monitoring'], security: Partial<Config['security']> = {}): ModuleContext => {
  const config = defaultConfig();
  return { config: { ...config, monitoring: { ...config.monitoring, ...m }, security: { ...config.security, ...security } }, system, modules };
};
const keys = (decls: Decl[]): string[] => decls.map(keyOf);
const contentOf = (decls: Decl[], path: string): string => String((decls.find((d) => d.id === path)?.options as FileOptions | undefined)?.content ?? '');
const preflight = (ctx: ModuleContext): string[] => monitoring.preflight?.(ctx) ?? [];

describe('monitoring: what each agent declares', () => {
  it('installs netdata, renders netdata.conf (restarting netdata on change) and keeps it running', () => {
    const decls = monitoring.resources(ctxFor());
    assert.deepEqual(keys(decls), ['package:netdata', `file:${NETDATA_CONF}`, 'service:netdata']);
    assert.deepEqual(decls[1]?.notify, ['service:netdata']);
    assert.deepEqual(decls[2]?.desired, { enabled: true, active: true });
    assert.equal((decls[2]?.options as { onChange?: string }).onChange, 'restart');
  });

  it('installs the node exporter with its listen address in /etc/default/prometheus-node-exporter', () => {
    const decls = monitoring.resources(ctxFor({ agent: 'node-exporter' }, TRIXIE));
    assert.deepEqual(keys(decls), ['package:prometheus-node-exporter', `file:${NODE_EXPORTER_DEFAULTS}`, 'service:prometheus-node-exporter']);
    assert.deepEqual(contentOf(decls, NODE_EXPORTER_DEFAULTS).split('\n').filter((l) => !l.startsWith('#') && l), ['ARGS="--web.listen-address=127.0.0.1:9100"']);
  });

  it('declares nothing when monitoring is disabled', () => {
    assert.deepEqual(monitoring.resources(ctxFor({ enabled: false })), []);
  });
});

describe('monitoring: agent config rendered from the templates', () => {
  const m = (o: Partial<Monitoring>): Monitoring => ({ ...defaultConfig().monitoring, ...o });
  const setting = (text: string, name: string): string[] => text.split('\n').filter((l) => l.trim().startsWith(`${name} =`)).map((l) => l.trim());

  it('binds netdata to 127.0.0.1 by default, under [web], and runs it as the netdata user', () => {
    const text = agentConfig(m({}));
    assert.deepEqual(setting(text, 'bind to'), ['bind to = 127.0.0.1']);
    assert.match(text, /\[web\]\n(?:\t#.*\n)*\tbind to = 127\.0\.0\.1$/m);
    assert.deepEqual(setting(text, 'run as user'), ['run as user = netdata']);
    assert.doesNotMatch(text, /bind socket to IP/, "Debian's old [global] name is not left to override it");
  });

  it('puts an IPv6 bind address in brackets for netdata and for the node exporter', () => {
    assert.deepEqual(setting(agentConfig(m({ bind: '::1' })), 'bind to'), ['bind to = [::1]']);
    assert.match(agentConfig(m({ agent: 'node-exporter', bind: '::' })), /^ARGS="--web\.listen-address=\[::\]:9100"$/m);
  });

  it('listens on every address when bind is 0.0.0.0', () => {
    assert.deepEqual(setting(agentConfig(m({ bind: '0.0.0.0' })), 'bind to'), ['bind to = 0.0.0.0']);
    assert.match(agentConfig(m({ agent: 'node-exporter', bind: '0.0.0.0' })), /^ARGS="--web\.listen-address=0\.0\.0\.0:9100"$/m);
  });

  it('plans a content change and a restart for Debian\'s stock netdata.conf on a running netdata', async () => {
    const stock = '[global]\n\trun as user = netdata\n\tweb files owner = root\n\tweb files group = root\n\tbind socket to IP = 127.0.0.1\n';
    const { planned } = await planWith({
      files: { [NETDATA_CONF]: { content: stock } },
      commands: [
        { match: /^dpkg-query/, stdout: 'netdata\tii \t1.37.1-2\n' },
        { match: /^systemctl show/, stdout: 'Id=netdata.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n' },
      ],
    }, monitoring.resources(ctxFor()));
    assert.deepEqual(planned.map((s) => [s.label, s.changes]), [[`file ${NETDATA_CONF}`, ['content']], ['service netdata', ['restart']]]);
    assert.match(planned[0]?.diff ?? '', /^-\tbind socket to IP = 127\.0\.0\.1$/m);
    assert.match(planned[0]?.diff ?? '', /^\+\tbind to = 127\.0\.0\.1$/m);
  });
});

describe('monitoring: refused before any change', () => {
  it('refuses netdata from distro on trixie, naming both ways out', () => {
    const [reason, ...rest] = preflight(ctxFor({}, TRIXIE));
    assert.equal(rest.length, 0);
    assert.match(reason ?? '', /monitoring\.agent: netdata with monitoring\.source: distro/);
    assert.match(reason ?? '', /trixie\) ships no netdata/);
    assert.match(reason ?? '', /monitoring\.source: upstream/);
    assert.match(reason ?? '', /monitoring\.agent: node-exporter/);
  });

  it('accepts netdata from distro on bookworm and Ubuntu, from upstream on trixie, and the node exporter on trixie', () => {
    assert.deepEqual(preflight(ctxFor({}, BOOKWORM)), []);
    assert.deepEqual(preflight(ctxFor({}, NOBLE)), []);
    assert.deepEqual(preflight(ctxFor({ source: 'upstream' }, TRIXIE)), []);
    assert.deepEqual(preflight(ctxFor({ agent: 'node-exporter' }, TRIXIE)), []);
  });

  it('refuses the node exporter from upstream: Prometheus has no apt repository', () => {
    assert.match(preflight(ctxFor({ agent: 'node-exporter', source: 'upstream' }))[0] ?? '', /monitoring\.source: distro/);
  });

  it('refuses allow_from while the agent listens on loopback only', () => {
    assert.match(preflight(ctxFor({ allow_from: ['10.0.0.0/8'] }))[0] ?? '', /monitoring\.bind is 127\.0\.0\.1.*monitoring\.bind: 0\.0\.0\.0/);
    assert.deepEqual(preflight(ctxFor({ allow_from: ['10.0.0.0/8'], bind: '0.0.0.0' })), []);
  });

  it('says nothing for a disabled module', () => {
    assert.deepEqual(preflight(ctxFor({ enabled: false }, TRIXIE)), []);
  });
});

describe('monitoring: allow_from opens the port for those sources only', () => {
  const withSecurity = ['baseline', 'security', 'monitoring'];

  it('adds one source-limited ufw rule per address, as ufw normalises them, when security is in the run', () => {
    const decls = monitoring.resources(ctxFor({ bind: '0.0.0.0', allow_from: ['10.1.2.3/8', '192.0.2.7/32', '2001:0db8:0:0::5'] }, BOOKWORM, withSecurity));
    assert.deepEqual(keys(decls).filter((k) => k.startsWith('ufw:')), [
      'ufw:allow 19999/tcp from 10.0.0.0/8', 'ufw:allow 19999/tcp from 192.0.2.7', 'ufw:allow 19999/tcp from 2001:db8::5',
    ]);
  });

  it('opens nothing without security in the run, or with ufw off', () => {
    const m = { bind: '0.0.0.0', allow_from: ['10.0.0.0/8'] };
    assert.deepEqual(keys(monitoring.resources(ctxFor(m))).filter((k) => k.startsWith('ufw:')), []);
    const off = { ...defaultConfig().security.ufw, enabled: false };
    assert.deepEqual(keys(monitoring.resources(ctxFor(m, BOOKWORM, withSecurity, { ufw: off }))).filter((k) => k.startsWith('ufw:')), []);
  });

  it('uses the node exporter\'s port for its rules', () => {
    const decls = monitoring.resources(ctxFor({ agent: 'node-exporter', bind: '0.0.0.0', allow_from: ['10.157.83.0/24'] }, TRIXIE, withSecurity));
    assert.deepEqual(keys(decls).at(-1), 'ufw:allow 9100/tcp from 10.157.83.0/24');
  });
});

describe('ufw rules limited to a source', () => {
  it('normalises sources exactly as ufw writes them into user.rules', () => {
    // Seen in a trixie host: ufw drops /32, zeroes IPv4 host bits, keeps IPv6 host bits, and prints IPv6 like inet_ntop.
    assert.deepEqual(['10.1.2.3/32', '10.1.2.3/8', '10.157.83.0/24', '2001:db8::1/64', '2001:0db8:0:0::5', '::1/128', 'FE80:0:0:0:1:0:0:1', '1:0:0:1:0:0:0:1', '0.0.0.0/0'].map((s) => ufwSource(s).address), [
      '10.1.2.3', '10.0.0.0/8', '10.157.83.0/24', '2001:db8::1/64', '2001:db8::5', '::1', 'fe80::1:0:0:1', '1:0:0:1::1', '0.0.0.0/0',
    ]);
  });

  it('refuses what is not an address', () => {
    for (const bad of ['10.1.2', '10.1.2.256', '10.0.0.0/33', '1::2::3', '1:2:3:4:5:6:7:8:9', 'host.example', '10.0.0.0/8/8']) {
      assert.throws(() => ufwSource(bad), /is not an IP address or network/, bad);
    }
  });

  it('reads a source rule as present from the one tuple of its family', () => {
    const rules = (tuples: string[]): Buffer => Buffer.from(tuples.map((t) => `### tuple ### ${t}\n`).join(''));
    const files = new Map([
      [UFW_FILES.conf, Buffer.from('ENABLED=yes\n')],
      [UFW_FILES.rules, rules(['allow tcp 9100 0.0.0.0/0 any 10.157.83.0/24 in comment=7068616e6573'])],
      [UFW_FILES.rules6, rules(['allow tcp 9100 ::/0 any 2001:db8::5 in'])],
    ]);
    const facts = parseUfw(files);
    assert.deepEqual(stateOf(facts, ufwAllow('9100/tcp from 10.157.83.0/24').id), { present: true });
    assert.deepEqual(stateOf(facts, ufwAllow('9100/tcp from 2001:0db8::5').id), { present: true });
    assert.deepEqual(stateOf(facts, ufwAllow('9100/tcp from 10.0.0.0/8').id), { present: false });
    assert.deepEqual(stateOf(facts, ufwAllow('9100/tcp').id), { present: false }, 'a rule from anywhere is another rule');
    assert.deepEqual(requiredTuples('allow', '9100/tcp from 10.0.0.0/8', true), ['allow tcp 9100 0.0.0.0/0 any 10.0.0.0/8 in']);
  });

  it('adds and deletes a source rule with ufw\'s full syntax, and a plain rule as before', () => {
    const id = ufwAllow('9100/tcp from 10.0.0.0/8').id;
    assert.deepEqual(ufwCommand(id, { present: true }), ['ufw', 'allow', 'from', '10.0.0.0/8', 'to', 'any', 'port', '9100', 'proto', 'tcp', 'comment', 'phanes']);
    assert.deepEqual(ufwCommand(id, { present: false }), ['ufw', 'delete', 'allow', 'from', '10.0.0.0/8', 'to', 'any', 'port', '9100', 'proto', 'tcp']);
    assert.deepEqual(ufwCommand(ufwAllow('5353 from 192.0.2.0/24').id, { present: true }), ['ufw', 'allow', 'from', '192.0.2.0/24', 'to', 'any', 'port', '5353', 'comment', 'phanes']);
    assert.deepEqual(ufwCommand('allow 443/tcp', { present: true }), ['ufw', 'allow', '443/tcp', 'comment', 'phanes']);
  });
});

describe('monitoring: Netdata from upstream (what it writes; not run on a booted host)', () => {
  const upstream = (system: SystemFacts) => monitoring.resources(ctxFor({ source: 'upstream' }, system));

  it('fetches the signing key, writes a flat deb822 source with Signed-By, refreshes apt for it, then installs netdata', () => {
    const decls = upstream(TRIXIE);
    assert.deepEqual(keys(decls), [
      'command:fetch netdata signing key', 'file:/etc/apt/sources.list.d/netdata.sources', 'apt-update:netdata',
      'package:netdata', `file:${NETDATA_CONF}`, 'service:netdata',
    ]);
    const fetch = decls[0]?.options as CommandOptions;
    assert.deepEqual(fetch.run, ['curl', '-fsSL', '--proto', '=https', '--retry', '3', '--create-dirs', '-o', '/etc/apt/keyrings/netdata.asc', 'https://repository.netdata.cloud/netdatabot.gpg.key']);
    assert.deepEqual(fetch.undo, ['rm', '-f', '--', '/etc/apt/keyrings/netdata.asc']);
    assert.equal(contentOf(decls, '/etc/apt/sources.list.d/netdata.sources'), [
      '# Managed by Phanes: the netdata repository.',
      'Types: deb',
      'URIs: https://repository.netdata.cloud/repos/stable/debian/',
      'Suites: trixie/',
      'Signed-By: /etc/apt/keyrings/netdata.asc',
      '',
    ].join('\n'));
    assert.deepEqual(decls[1]?.notify, ['apt-update:netdata']);
    assert.deepEqual(decls[2]?.options, { listPrefix: 'repository.netdata.cloud_repos_stable_debian_' });
  });

  it('uses the Ubuntu tree and codename on Ubuntu', () => {
    const text = contentOf(upstream(NOBLE), '/etc/apt/sources.list.d/netdata.sources');
    assert.match(text, /^URIs: https:\/\/repository\.netdata\.cloud\/repos\/stable\/ubuntu\/$/m);
    assert.match(text, /^Suites: noble\/$/m);
    assert.doesNotMatch(text, /^Components:/m, 'a flat repository takes no components');
  });

  it('adds no repository for the node exporter or under distro', () => {
    assert.ok(!keys(monitoring.resources(ctxFor({}, BOOKWORM))).some((k) => k.includes('netdata.sources')));
    assert.equal(AGENTS['node-exporter'].package, 'prometheus-node-exporter');
  });
});
