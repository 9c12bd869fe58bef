import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedRules, firewallResources } from '../../modules/security/firewall.js';
import { security } from '../../modules/security.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import { applyModules } from '../../src/engine/apply.js';
import type { ModuleContext } from '../../src/engine/module.js';
import { rollbackModule } from '../../src/engine/rollback.js';
import type { SystemFacts } from '../../src/facts/system.js';
import type { RunOptions, RunResult } from '../../src/host/host.js';
import type { Decl } from '../../src/resources/types.js';
import { parseUfw, portSpec, ruleTuples, stateOf, ufwAllow, ufwCommand, ufwDefault, ufwEnabled, UFW_FILES, ufwSysctlFile, withSysctlFile } from '../../src/resources/ufw.js';
import { project } from '../../state/projector.js';
import { MemoryHost } from './support/memory-host.js';
import { memoryRecorder } from './support/memory-recorder.js';
import { collectingReporter, planWith } from './support/plan.js';

// What Debian's ufw package ships, and user.rules as ufw writes them (trimmed to the tuple lines it reads).
const UFW_CONF = '# /etc/ufw/ufw.conf\n#\n\n# Set to yes to start on boot.\nENABLED=no\n\nLOGLEVEL=low\n';
const DEFAULTS = '# /etc/default/ufw\nIPV6=yes\nDEFAULT_INPUT_POLICY="DROP"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\nDEFAULT_FORWARD_POLICY="DROP"\nDEFAULT_APPLICATION_POLICY="SKIP"\nMANAGE_BUILTINS=no\nIPT_SYSCTL=/etc/ufw/sysctl.conf\nIPT_MODULES=""\n';
const rules = (...tuples: string[]): string =>
  `*filter\n:ufw-user-input - [0:0]\n### RULES ###\n\n${tuples.map((t) => `### tuple ### ${t}\n-A ufw-user-input -j ACCEPT\n`).join('\n')}\n### END RULES ###\nCOMMIT\n`;
const ufwFiles = (o: { conf?: string; defaults?: string; v4?: string[]; v6?: string[] } = {}): Map<string, Buffer | null> => new Map([
  [UFW_FILES.conf, Buffer.from(o.conf ?? UFW_CONF)],
  [UFW_FILES.defaults, Buffer.from(o.defaults ?? DEFAULTS)],
  [UFW_FILES.rules, Buffer.from(rules(...(o.v4 ?? [])))],
  [UFW_FILES.rules6, Buffer.from(rules(...(o.v6 ?? [])))],
]);
const fixtureFiles = (m: Map<string, Buffer | null>): Record<string, { content: string }> =>
  Object.fromEntries([...m].map(([p, b]) => [p, { content: b?.toString() ?? '' }]));

const SSH_V4 = 'allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in';
const SSH_V6 = 'allow tcp 22 ::/0 any ::/0 in';

describe('ufw rules as ufw writes them', () => {
  it('maps port specs to the tuples in user.rules and user6.rules', () => {
    assert.deepEqual(ruleTuples('allow', '22/tcp'), [SSH_V4, SSH_V6]);
    assert.deepEqual(ruleTuples('allow', '443'), ['allow any 443 0.0.0.0/0 any 0.0.0.0/0 in', 'allow any 443 ::/0 any ::/0 in']);
    assert.deepEqual(ruleTuples('allow', '60000:61000/udp')[0], 'allow udp 60000:61000 0.0.0.0/0 any 0.0.0.0/0 in');
  });

  it('refuses a port range without a protocol, as ufw does', () => {
    assert.throws(() => portSpec('60000:61000'), /not a ufw port rule/);
    assert.throws(() => ufwAllow('ssh'), /not a ufw port rule/);
  });

  it('reads enabled, IPv6, the three default policies and the rules, ignoring rule comments', () => {
    const facts = parseUfw(ufwFiles({ conf: UFW_CONF.replace('ENABLED=no', 'ENABLED=yes'), v4: [`${SSH_V4} comment=7068616e6573`], v6: [SSH_V6] }));
    assert.equal(facts.installed, true);
    assert.equal(facts.enabled, true);
    assert.equal(facts.ipv6, true);
    assert.deepEqual(facts.defaults, { incoming: 'deny', outgoing: 'allow', routed: 'deny' });
    assert.deepEqual([...facts.tuples].sort(), [SSH_V4, SSH_V6].sort());
  });

  it('reads which sysctl file ufw applies at start, and none when IPT_SYSCTL is empty', () => {
    assert.equal(parseUfw(ufwFiles()).sysctlFile, '/etc/ufw/sysctl.conf');
    assert.equal(parseUfw(ufwFiles({ defaults: DEFAULTS.replace('IPT_SYSCTL=/etc/ufw/sysctl.conf', 'IPT_SYSCTL=""') })).sysctlFile, '');
    assert.equal(parseUfw(new Map()).sysctlFile, '/etc/ufw/sysctl.conf');
  });

  it('edits IPT_SYSCTL in place and keeps every other line', () => {
    const out = withSysctlFile(DEFAULTS, '');
    assert.match(out, /^IPT_SYSCTL=""$/m);
    assert.equal(out.replace('IPT_SYSCTL=""', 'IPT_SYSCTL=/etc/ufw/sysctl.conf'), DEFAULTS);
    assert.equal(withSysctlFile('IPV6=yes\n', '/etc/x.conf'), 'IPV6=yes\nIPT_SYSCTL=/etc/x.conf\n');
  });

  it('reads a REJECT input policy as reject', () => {
    assert.equal(parseUfw(ufwFiles({ defaults: DEFAULTS.replace('"DROP"', '"REJECT"') })).defaults.incoming, 'reject');
  });

  it('reads an absent ufw as the package would install it, so plan predicts what apply sees', () => {
    const facts = parseUfw(new Map());
    assert.equal(facts.installed, false);
    assert.equal(facts.enabled, false);
    assert.deepEqual(facts.defaults, { incoming: 'deny', outgoing: 'allow', routed: 'deny' });
    assert.equal(stateOf(facts, 'allow 22/tcp').present, false);
  });

  it('counts a rule as present only when both families have it while IPv6 is on', () => {
    assert.equal(stateOf(parseUfw(ufwFiles({ v4: [SSH_V4] })), 'allow 22/tcp').present, false);
    assert.equal(stateOf(parseUfw(ufwFiles({ v4: [SSH_V4], v6: [SSH_V6] })), 'allow 22/tcp').present, true);
    assert.equal(stateOf(parseUfw(ufwFiles({ defaults: DEFAULTS.replace('IPV6=yes', 'IPV6=no'), v4: [SSH_V4] })), 'allow 22/tcp').present, true);
  });

  it('does not take a rule limited to one source address for the open rule', () => {
    const fromLan = 'allow tcp 22 0.0.0.0/0 any 10.0.0.0/8 in';
    assert.equal(stateOf(parseUfw(ufwFiles({ v4: [fromLan], v6: [SSH_V6] })), 'allow 22/tcp').present, false);
  });

  it('builds the ufw commands: a commented add, a delete, a default and a forced enable', () => {
    assert.deepEqual(ufwCommand('allow 22/tcp', { present: true }), ['ufw', 'allow', '22/tcp', 'comment', 'phanes']);
    assert.deepEqual(ufwCommand('allow 22/tcp', { present: false }), ['ufw', 'delete', 'allow', '22/tcp']);
    assert.deepEqual(ufwCommand('default incoming', { policy: 'deny' }), ['ufw', 'default', 'deny', 'incoming']);
    assert.deepEqual(ufwCommand('enabled', { enabled: true }), ['ufw', '--force', 'enable']);
    assert.deepEqual(ufwCommand('enabled', { enabled: false }), ['ufw', 'disable']);
    assert.equal(ufwCommand('default incoming', { policy: null }), undefined);
  });
});

describe('planning ufw', () => {
  const decls = (): Decl[] => [ufwDefault('incoming', 'deny'), ufwDefault('outgoing', 'allow'), ufwAllow('22/tcp'), ufwAllow('443/tcp'), ufwEnabled()];

  it('plans the rules and the enable on a fresh ufw, and nothing for the defaults it already has', async () => {
    const { planned, host } = await planWith({ files: fixtureFiles(ufwFiles()) }, decls());
    assert.deepEqual(planned.map((s) => `${s.label}: ${s.changes.join(', ')}`), ['ufw allow 22/tcp: add', 'ufw allow 443/tcp: add', 'ufw enabled: enable']);
    assert.equal(host.queries.length, 0, 'ufw is read from its files, without a process');
  });

  it('plans the same on a host without ufw, where the package is still to come', async () => {
    const { planned } = await planWith({}, decls());
    assert.deepEqual(planned.map((s) => s.label), ['ufw allow 22/tcp', 'ufw allow 443/tcp', 'ufw enabled']);
  });

  it('plans nothing when ufw is active with those rules, whatever their comments', async () => {
    const files = ufwFiles({ conf: 'ENABLED=yes\n', v4: [SSH_V4, `${ruleTuples('allow', '443/tcp')[0]} comment=6d696e65`], v6: [SSH_V6, ruleTuples('allow', '443/tcp')[1]] });
    assert.deepEqual((await planWith({ files: fixtureFiles(files) }, decls())).planned, []);
  });

  it('plans a policy change when incoming is allowed', async () => {
    const { planned } = await planWith({ files: fixtureFiles(ufwFiles({ defaults: DEFAULTS.replace('"DROP"', '"ACCEPT"') })) }, [ufwDefault('incoming', 'deny')]);
    assert.deepEqual(planned[0]?.changes, ['allow → deny']);
  });
});

/** A MemoryHost whose `ufw` edits its files the way ufw does, so apply and rollback run for real. */
class UfwHost extends MemoryHost {
  constructor(files = ufwFiles()) {
    super();
    for (const [p, b] of files) this.put(p, b?.toString() ?? '');
    this.put('/usr/sbin/ufw', '');
  }
  private tuples(p: string): string[] {
    return [...(this.text(p) ?? '').matchAll(/^### tuple ### (.*)$/gm)].map((m) => m[1]!);
  }
  override async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [cmd, ...args] = argv;
    if (cmd !== 'ufw') return super.run(argv, options);
    this.runs.push(argv.join(' '));
    const set = (p: string, re: RegExp, line: string): void => this.put(p, (this.text(p) ?? '').replace(re, line));
    if (args[0] === '--force' && args[1] === 'enable') set(UFW_FILES.conf, /^ENABLED=.*$/m, 'ENABLED=yes');
    else if (args[0] === 'disable') set(UFW_FILES.conf, /^ENABLED=.*$/m, 'ENABLED=no');
    else if (args[0] === 'default') {
      const key = { incoming: 'DEFAULT_INPUT_POLICY', outgoing: 'DEFAULT_OUTPUT_POLICY', routed: 'DEFAULT_FORWARD_POLICY' }[args[2] as 'incoming'];
      set(UFW_FILES.defaults, new RegExp(`^${key}=.*$`, 'm'), `${key}="${{ deny: 'DROP', allow: 'ACCEPT', reject: 'REJECT' }[args[1] as 'deny']}"`);
    } else {
      const del = args[0] === 'delete';
      const [action = '', spec = ''] = del ? args.slice(1) : args;
      const [v4, v6] = ruleTuples(action, spec);
      for (const [p, t] of [[UFW_FILES.rules, v4], [UFW_FILES.rules6, v6]] as const) {
        const have = this.tuples(p);
        const same = (x: string): boolean => x.replace(/ comment=\S+$/, '') === t;
        if (del) this.put(p, rules(...have.filter((x) => !same(x))));
        else if (!have.some(same)) this.put(p, rules(...have, `${t} comment=7068616e6573`)); // else: "Skipping adding existing rule"
      }
    }
    return { stdout: '', stderr: '', exitCode: 0 };
  }
}

async function applyTwiceThenRollback(host: MemoryHost, decls: Decl[]) {
  const rec = memoryRecorder();
  const run = { version: 't', hostname: 'h' };
  const apply = () => applyModules({ host, plan: [{ module: { name: 'security', description: '', resources: () => decls }, decls }], dryRun: false, recorder: rec, projection: project(rec.events), reporter: collectingReporter(), secrets: [], run });
  const applied = await apply();
  const afterApply = parseUfw(await host.readFiles(Object.values(UFW_FILES)));
  const runsAfterApply = host.runs.length;
  const again = await apply();
  const runsAgain = host.runs.length - runsAfterApply;
  const rolled = await rollbackModule({ host, module: 'security', projection: project(rec.events), events: rec.events, recorder: rec, reporter: collectingReporter(), secrets: [], dryRun: false, force: false, run });
  return { applied, afterApply, again, runsAgain, rolled, after: parseUfw(await host.readFiles(Object.values(UFW_FILES))) };
}

describe('applying and rolling back ufw', () => {
  const decls = (): Decl[] => [ufwDefault('incoming', 'deny'), ufwDefault('outgoing', 'allow'), ufwAllow('22/tcp'), ufwAllow('80/tcp'), ufwEnabled()];

  it('adds the rules, enables, changes nothing the second time, and rollback leaves ufw inactive as before', async () => {
    const host = new UfwHost();
    const r = await applyTwiceThenRollback(host, decls());
    assert.equal(r.applied.ok, true);
    assert.equal(r.afterApply.enabled, true);
    assert.ok(r.afterApply.tuples.has(SSH_V4) && r.afterApply.tuples.has(SSH_V6));
    assert.equal(r.again.summary.changed, 0);
    assert.equal(r.runsAgain, 0, 'no ufw command on the second apply: no duplicate rules');
    assert.equal(r.rolled.ok, true);
    assert.equal(r.after.enabled, false);
    assert.deepEqual([...r.after.tuples], []);
    assert.ok(host.runs.indexOf('ufw allow 22/tcp comment phanes') < host.runs.indexOf('ufw --force enable'), 'ssh is allowed before ufw is enabled');
  });

  it('leaves the rules Phanes did not add, even one Phanes also wants, and keeps an active ufw active', async () => {
    const mine = 'allow tcp 8080 0.0.0.0/0 any 0.0.0.0/0 in';
    const host = new UfwHost(ufwFiles({ conf: 'ENABLED=yes\n', v4: [SSH_V4, mine], v6: [SSH_V6] }));
    const r = await applyTwiceThenRollback(host, decls());
    assert.deepEqual(host.runs.filter((c) => c.startsWith('ufw')), ['ufw allow 80/tcp comment phanes', 'ufw delete allow 80/tcp']);
    assert.equal(r.after.enabled, true);
    assert.ok(r.after.tuples.has(SSH_V4) && r.after.tuples.has(mine));
  });

  it('tells ufw to apply no sysctl file, and puts the stock one back on rollback', async () => {
    const host = new UfwHost();
    const r = await applyTwiceThenRollback(host, [ufwSysctlFile('')]);
    assert.equal(r.afterApply.sysctlFile, '');
    assert.equal(r.again.summary.changed, 0);
    assert.equal(host.text(UFW_FILES.defaults), DEFAULTS);
  });

  it('puts a changed default policy back on rollback', async () => {
    const host = new UfwHost(ufwFiles({ defaults: DEFAULTS.replace('"DROP"', '"ACCEPT"') }));
    const r = await applyTwiceThenRollback(host, [ufwDefault('incoming', 'deny')]);
    assert.equal(r.afterApply.defaults.incoming, 'deny');
    assert.equal(r.after.defaults.incoming, 'allow');
  });
});

const BOOKWORM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
function ctx(security: Partial<Config['security']> = {}, modules = ['baseline', 'user', 'security']): ModuleContext {
  const base = defaultConfig();
  return { config: { ...base, security: { ...base.security, ...security } }, system: BOOKWORM, modules };
}

describe('the firewall part of the security module', () => {
  it('installs ufw, keeps deny-in/allow-out, allows ssh and the extras, and enables last', () => {
    const c = ctx({ ufw: { enabled: true, allow: ['80/tcp', '443/tcp'] } });
    const ids = firewallResources(c).map((d) => `${d.kind}:${d.id}`);
    assert.deepEqual(ids, ['package:ufw', 'ufw:default incoming', 'ufw:default outgoing', 'ufw:allow 22/tcp', 'ufw:allow 80/tcp', 'ufw:allow 443/tcp',
      'ufw:sysctl file', 'ufw:enabled']);
    assert.deepEqual(firewallResources(c).find((d) => d.id === 'sysctl file')?.desired, { path: '' });
  });

  it('allows the configured ssh port, and an extra that repeats it only once', () => {
    assert.deepEqual(allowedRules(ctx({ ssh_port: 2222, ufw: { enabled: true, allow: ['2222/tcp', '8443'] } })), ['2222/tcp', '8443']);
  });

  it('declares nothing when ufw is turned off, and leaves ufw its own sysctls when sysctl hardening is', () => {
    assert.deepEqual(firewallResources(ctx({ ufw: { enabled: false, allow: [] } })), []);
    assert.ok(!firewallResources(ctx({ sysctl_hardening: false })).some((d) => d.id === 'sysctl file'));
  });

  it('comes before the ssh part in the module, so a new port is open before sshd moves to it', () => {
    const keys = security.resources(ctx({ ssh_port: 2222 })).map((d) => `${d.kind}:${d.id}`);
    const allow = keys.indexOf('ufw:allow 2222/tcp');
    const sshd = keys.findIndex((k) => k.startsWith('file:/etc/ssh/sshd_config.d/'));
    assert.ok(allow >= 0 && sshd > allow, `allow at ${allow}, sshd drop-in at ${sshd}`);
  });
});
