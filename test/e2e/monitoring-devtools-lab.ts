// Issue 10, monitoring and devtools on booted hosts: bookworm runs Netdata (Debian's 1.37), trixie the
// Prometheus node exporter (trixie ships no netdata). Each host is the other's "another lab host" for
// the port checks. Each part applies its base modules first, then plans and applies with its module
// added, so the module's rollback can be compared with the host just before that module's apply.
// The two parts are two scenario files (monitoring-devtools.e2e.ts, devtools.e2e.ts): each stays within
// the runner's 15 minutes per file, and they run side by side.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, type LabHost, type Suite } from './harness/index.js';
import { expectPhanes, makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';
import { ndjson, stepKeys, SYSCTL_HOST, tcpOpen } from './security-lab.js';
import { etcAndPackages, differences, type HostSnapshot } from './snapshot.js';

const USER = 'deploy';
export type Part = 'monitoring' | 'devtools';
/** What each part applies before its module (monitoring needs security for its firewall checks). */
const BASES: Record<Part, string> = { monitoring: 'baseline,user,security', devtools: 'baseline,user' };
const RUNTIMES = ['node', 'python', 'go'];
const SUITES: Suite[] = ['bookworm', 'trixie'];
const apply = (modules: string): string[] => ['apply', '--modules', modules, '--config', '/root/config.yaml'];
const plan = (modules: string): string[] => ['plan', '--modules', modules, '--config', '/root/config.yaml', '--json'];

const AGENT: Record<Suite, { agent: string; port: number; unit: string; probe: string }> = {
  bookworm: { agent: 'netdata', port: 19999, unit: 'netdata', probe: '/api/v1/info' },
  trixie: { agent: 'node-exporter', port: 9100, unit: 'prometheus-node-exporter', probe: '/metrics' },
};

/**
 * What may differ under /etc and in dpkg after a rollback, by name, with the reason. Debian packages
 * keep the system users they created when purged (removing a user could orphan files it owns), so
 * the account files keep netdata's or prometheus' user; nothing else may differ.
 */
const ALLOWED: Record<string, string> = {
  '/etc/passwd': 'the purged package keeps its system user (Debian policy: users are never removed on purge)',
  '/etc/passwd-': 'the backup adduser wrote when it added that user',
  '/etc/group': 'the purged package keeps its system group',
  '/etc/group-': 'the backup adduser wrote when it added that group',
  '/etc/shadow': 'the kept system user\'s shadow entry',
  '/etc/shadow-': 'the backup adduser wrote',
  '/etc/gshadow': 'the kept system group\'s gshadow entry',
  '/etc/gshadow-': 'the backup adduser wrote',
};

// Security runs for its firewall (allow_from, ports closed to other hosts); its fail2ban and hardening
// packages are left to its own scenarios, to keep this file within the runner's 15 minutes.
const configYaml = (key: LoginKey, agent: string, extra: string[] = []): string => [
  `username: ${USER}`,
  `ssh_public_key: "${key.publicLine}"`,
  // apt keeps the mirror's Last-Modified as the lists' mtime, so an hour's max age can read as stale
  // minutes after an update (baseline's freshness check, not this scenario's subject).
  'baseline: { apt_cache_max_age: 86400 }',
  'security:',
  '  fail2ban: { enabled: false }',
  '  hardening: { enabled: false }',
  'monitoring:',
  `  agent: ${agent}`,
  ...extra.map((l) => `  ${l}`),
  'devtools:',
  `  runtimes: [${RUNTIMES.join(', ')}]`,
  '',
].join('\n');

/** Whether a TCP connection from `peer` (another lab host) to `target`'s port is accepted within 3 s. */
async function answersFrom(peer: LabHost, target: LabHost, port: number): Promise<boolean> {
  const r = await peer.exec(['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${target.address}/${port}`], { reject: false });
  return r.exitCode === 0;
}

/** The agent's answer on its local port, waiting up to 30 s for a just-restarted agent. */
async function agentAnswer(host: LabHost, url: string): Promise<string> {
  const r = await host.exec(`for i in $(seq 150); do out=$(curl -sf --max-time 5 '${url}') && { printf '%s' "$out"; exit 0; }; sleep 0.2; done; exit 1`, { reject: false });
  assert.equal(r.exitCode, 0, `${url} did not answer in ${host.name}: ${r.stderr}`);
  return r.stdout;
}

interface Prepared {
  refused?: { exitCode: number; stdout: string; stderr: string; before: HostSnapshot; after: HostSnapshot; journalBefore: string; journalAfter: string };
  /** dpkg and /etc just before the module's own apply. */
  beforeModule: HostSnapshot;
  planned: string[];
  changed: string[];
  again: string;
  seconds: Record<string, number>;
}

const journalLines = async (host: LabHost): Promise<string> => (await host.exec('cat /var/lib/phanes/journal*.jsonl 2>/dev/null | wc -l')).stdout.trim();

/** Everything that changes the host, in order; the tests below then only look. */
async function prepare(host: LabHost, key: LoginKey, part: Part): Promise<Prepared> {
  const [base, all] = [BASES[part], `${BASES[part]},${part}`];
  const suite = host.suite;
  const seconds: Record<string, number> = {};
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const out = await fn();
    seconds[label] = (Date.now() - t) / 1000;
    console.log(`[e2e] ${suite}: ${label} took ${seconds[label]!.toFixed(1)} s`);
    return out;
  };
  await installPhanes(host);
  await writeConfig(host, configYaml(key, AGENT[suite].agent));
  await timed(`apply --modules ${base}`, () => expectPhanes(host, apply(base)));
  const beforeModule = await etcAndPackages(host);
  let refused: Prepared['refused'];
  if (suite === 'trixie' && part === 'monitoring') {
    // Netdata under distro on trixie: refused before any change.
    await writeConfig(host, configYaml(key, 'netdata'));
    const journalBefore = await journalLines(host);
    const r = await phanes(host, apply(all), { reject: false, timeoutMs: 600_000 });
    refused = { ...r, before: beforeModule, after: await etcAndPackages(host), journalBefore, journalAfter: await journalLines(host) };
    await writeConfig(host, configYaml(key, AGENT[suite].agent));
  }
  const planned = stepKeys(ndjson(await expectPhanes(host, plan(all))), 'planned');
  const changed = stepKeys(ndjson(await timed(`apply --modules ${all}`, () => expectPhanes(host, [...apply(all), '--json']))), 'changed');
  const again = await timed(`no-change re-apply --modules ${all}`, () => expectPhanes(host, apply(all)));
  return { ...(refused ? { refused } : {}), beforeModule, planned, changed, again, seconds };
}

/** The scenario of one part, on a bookworm and a trixie host booted side by side. */
export function scenario(part: Part): void {
describe(`${part} on real hosts`, { concurrency: 1 }, () => {
  const hosts = {} as Record<Suite, LabHost>;
  const ready = {} as Record<Suite, Prepared | Error>;
  let key: LoginKey;

  before(async () => {
    key = await makeLoginKey();
    const booted = await Promise.allSettled((['bookworm', 'trixie'] as Suite[]).map((suite) => bootHost({ suite, name: `md-${part.slice(0, 3)}-${suite}`, ...SYSCTL_HOST })));
    for (const b of booted) if (b.status === 'fulfilled') hosts[b.value.suite] = b.value;
    const failed = booted.find((b) => b.status === 'rejected');
    if (failed) throw failed.reason;
    const results = await Promise.allSettled((['bookworm', 'trixie'] as Suite[]).map((s) => prepare(hosts[s], key, part)));
    (['bookworm', 'trixie'] as Suite[]).forEach((s, i) => {
      const r = results[i]!;
      ready[s] = r.status === 'fulfilled' ? r.value : (r.reason as Error);
    });
  });
  after(async () => {
    await Promise.all(Object.values(hosts).map((h) => h.down()));
    key?.cleanup();
  });

  const prepared = (suite: Suite): Prepared => {
    const p = ready[suite];
    if (p instanceof Error || p === undefined) throw p ?? new Error(`${suite} was not prepared`);
    return p;
  };
  const other = (suite: Suite): LabHost => hosts[suite === 'bookworm' ? 'trixie' : 'bookworm'];

  const [mon, dev] = [part === 'monitoring', part === 'devtools'];
  // Tests of the other part are not declared at all (not even as skipped).
  const only = (yes: boolean): typeof it => (yes ? it : ((() => undefined) as unknown as typeof it));
  const [itMon, itDev] = [only(mon), only(dev)];

  itMon('trixie: netdata under source distro is refused before any change, naming both ways out', () => {
    const r = prepared('trixie').refused!;
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    const text = `${r.stdout}\n${r.stderr}`;
    assert.match(text, /ships no netdata/);
    assert.match(text, /monitoring\.source: upstream/);
    assert.match(text, /monitoring\.agent: node-exporter/);
    assert.match(text, /nothing was changed/);
    assert.deepEqual(differences(r.before, r.after), [], 'dpkg selections and /etc are unchanged');
    assert.equal(r.journalAfter, r.journalBefore, 'the journal recorded nothing');
  });

  for (const suite of SUITES) {
    const { port, unit, probe, agent } = AGENT[suite];

    it(`${suite}: plan predicted exactly the steps apply changed`, () => {
      const p = prepared(suite);
      assert.ok(p.changed.length > 0, 'apply changed something');
      assert.deepEqual(p.changed, p.planned);
      if (mon) assert.ok(p.changed.includes(`service:${unit}`), 'the agent was (re)started after its config was written');
    });

    it(`${suite}: the second apply changes nothing`, () => {
      const s = summaryOf(prepared(suite).again);
      assert.equal(s.changed, 0, prepared(suite).again);
      assert.equal(s.failed, 0);
      console.log(`[e2e] ${suite}: figures ${JSON.stringify(prepared(suite).seconds)}`);
    });

    itMon(`${suite}: ${agent} answers on 127.0.0.1:${port} and listens there only`, async () => {
      prepared(suite);
      const host = hosts[suite];
      const body = await agentAnswer(host, `http://127.0.0.1:${port}${probe}`);
      if (agent === 'netdata') {
        const info = JSON.parse(body) as { version?: string };
        assert.match(info.version ?? '', /^v?1\.37\./, body.slice(0, 300));
      } else {
        assert.match(body, /^node_cpu_seconds_total\{/m);
        assert.match(body, /^node_filesystem_avail_bytes\{/m);
      }
      const { stdout } = await host.exec(`ss -Htln 'sport = :${port}'`);
      assert.deepEqual(stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[3]), [`127.0.0.1:${port}`]);
    });

    itMon(`${suite}: from another lab host the agent's port does not answer, while ssh does`, async () => {
      prepared(suite);
      const [host, peer] = [hosts[suite], other(suite)];
      assert.equal(await answersFrom(peer, host, 22), true, 'the probe itself works: ssh answers');
      assert.equal(await answersFrom(peer, host, port), false);
      assert.equal(await tcpOpen(host, port), false, 'nor from this machine');
    });

    itDev(`${suite}: every runtime answers as ${USER}, and a python venv has pip`, async () => {
      prepared(suite);
      const as = (cmd: string) => hosts[suite].exec(['runuser', '-l', USER, '-c', cmd], { reject: false });
      const versions = await as('node --version && npm --version && python3 --version && go version && git --version && gcc --version | head -1 && make --version | head -1');
      assert.equal(versions.exitCode, 0, versions.stderr);
      assert.match(versions.stdout, /^v\d+\.\d+/m);
      assert.match(versions.stdout, /^Python 3\.\d+/m);
      assert.match(versions.stdout, /^go version go1\.\d+/m);
      assert.match(versions.stdout, /^git version /m);
      const venv = await as('rm -rf /tmp/v && python3 -m venv /tmp/v && /tmp/v/bin/pip --version');
      assert.equal(venv.exitCode, 0, venv.stderr);
      assert.match(venv.stdout, /^pip \d+/);
    });
  }

  /** Runs `fn` on both hosts at once, the first time either suite's test asks; each test then reads its own. */
  const onBoth = <T>(fn: (suite: Suite) => Promise<T>): ((suite: Suite) => Promise<T>) => {
    let all: Promise<Map<Suite, T | Error>> | undefined;
    return async (suite) => {
      all ??= Promise.all(SUITES.map(async (s) => [s, await fn(s).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))] as const)).then((e) => new Map(e));
      const r = (await all).get(suite);
      if (r instanceof Error) throw r;
      return r as T;
    };
  };
  const notAllowed = (diffs: string[]): string[] => diffs.filter((d) => !(d.split(' ')[0]! in ALLOWED));

  const rollbackDevtools = onBoth(async (suite) => {
    const p = prepared(suite);
    const out = await expectPhanes(hosts[suite], ['rollback', 'devtools']);
    return { out, diffs: differences(p.beforeModule, await etcAndPackages(hosts[suite])) };
  });
  for (const suite of SUITES) {
    itDev(`${suite}: rollback devtools leaves dpkg selections and /etc as before devtools' apply`, async () => {
      const { out, diffs } = await rollbackDevtools(suite);
      assert.equal(summaryOf(out).failed, 0, out);
      assert.deepEqual(notAllowed(diffs), [], out);
      const r = await hosts[suite].exec(['runuser', '-l', USER, '-c', 'command -v node || command -v go'], { reject: false });
      assert.notEqual(r.exitCode, 0, `node and go are gone: ${r.stdout}`);
    });
  }

  const opened = onBoth(async (suite) => {
    prepared(suite);
    const { port, agent, probe } = AGENT[suite];
    const [host, peer] = [hosts[suite], other(suite)];
    await writeConfig(host, configYaml(key, agent, ['bind: 0.0.0.0', `allow_from: [${peer.address}]`]));
    const out = await expectPhanes(host, apply(`${BASES.monitoring},monitoring`));
    const status = (await host.exec(['ufw', 'status'])).stdout;
    const seen = await peer.exec(`for i in $(seq 150); do curl -sf --max-time 5 http://${host.address}:${port}${probe} && exit 0; sleep 0.2; done; exit 1`, { reject: false });
    return { out, status, seen, fromMachine: await tcpOpen(host, port) };
  });
  for (const suite of SUITES) {
    const { port, agent } = AGENT[suite];
    itMon(`${suite}: allow_from opens ${agent}'s port to that lab host only`, async () => {
      const { out, status, seen, fromMachine } = await opened(suite);
      const peer = other(suite).address.replace(/\./g, '\\.');
      assert.match(out, new RegExp(`ufw allow ${port}/tcp from ${peer}`));
      assert.match(status, new RegExp(`^${port}/tcp\\s+ALLOW\\s+${peer}\\s`, 'm'));
      assert.equal(seen.exitCode, 0, `${other(suite).name} reaches ${agent}`);
      assert.match(seen.stdout, agent === 'netdata' ? /"version"/ : /^node_/m);
      assert.equal(fromMachine, false, 'a source not listed (this machine) is still refused');
    });
  }

  const rollbackMonitoring = onBoth(async (suite) => {
    const p = prepared(suite);
    const out = await expectPhanes(hosts[suite], ['rollback', 'monitoring']);
    return { out, diffs: differences(p.beforeModule, await etcAndPackages(hosts[suite])), open: await tcpOpen(hosts[suite], AGENT[suite].port) };
  });
  for (const suite of SUITES) {
    itMon(`${suite}: rollback monitoring leaves dpkg selections and /etc as before monitoring's apply`, async () => {
      const { out, diffs, open } = await rollbackMonitoring(suite);
      assert.equal(summaryOf(out).failed, 0, out);
      assert.deepEqual(notAllowed(diffs), [], out);
      console.log(`[e2e] ${suite}: allowed differences after rollback monitoring: ${diffs.map((d) => d.split(' ')[0]).join(', ') || 'none'}`);
      assert.equal(open, false);
    });
  }
});
}
