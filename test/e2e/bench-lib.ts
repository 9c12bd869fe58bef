// Pieces of `npm run bench` (test/e2e/bench.ts): timing inside a lab host, the figure lines, the
// startup floors, a 100,000-event journal built from a real one, the process trace and CPU profiles.
// The bench prints figures; nothing here asserts a time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PhanesEvent } from '../../state/events.js';
import { Journal } from '../../state/journal.js';
import { loadState } from '../../state/snapshot.js';
import { injectSea } from '../../scripts/lib/sea.mjs';
import type { LabHost } from './harness/index.js';

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** One figure: its value, the target it is held to (if any) and whether it met it. */
export interface Figure {
  name: string;
  value: string;
  target?: string;
  ratio?: string;
  met?: boolean;
}

/** `name  value  target  ratio  MET|MISSED`, aligned. */
export function figureLine(f: Figure): string {
  const verdict = f.met === undefined ? '' : f.met ? 'MET' : 'MISSED';
  return `${f.name.padEnd(46)} ${f.value.padStart(10)}   target ${(f.target ?? '-').padEnd(22)} ${(f.ratio ?? '').padEnd(16)} ${verdict}`.trimEnd();
}

export const seconds = (s: number): string => `${s.toFixed(s < 10 ? 3 : 1)} s`;
export const millis = (ms: number): string => `${ms.toFixed(1)} ms`;

// Runs argv in the host with its output in files and prints `rc start end` (bash's EPOCHREALTIME, µs):
// the time is taken inside the host, so nsenter's own start-up is not counted.
const TIMER = '/root/bench-time.sh';
const TIMER_SCRIPT = '#!/bin/bash\nout=$1 err=$2; shift 2\ns=$EPOCHREALTIME; "$@" >"$out" 2>"$err"; rc=$?; e=$EPOCHREALTIME\necho "$rc ${s/./} ${e/./}"\n';

export interface Timed {
  seconds: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function installTimer(host: LabHost): Promise<void> {
  await host.writeFile(TIMER, TIMER_SCRIPT, 0o755);
}

/** Runs argv in the host and times it there; throws unless it exits with one of `ok`. */
export async function timeIn(host: LabHost, argv: string[], env: Record<string, string> = {}, ok: number[] = [0]): Promise<Timed> {
  const r = await host.exec([TIMER, '/root/bench.out', '/root/bench.err', ...argv], { env: { NO_COLOR: '1', ...env }, timeoutMs: 3_600_000 });
  const [rc, start, end] = r.stdout.trim().split(' ').map(Number) as [number, number, number];
  const [stdout, stderr] = await Promise.all([host.readFile('/root/bench.out'), host.readFile('/root/bench.err')]);
  if (!ok.includes(rc)) throw new Error(`[${host.name}] ${argv.join(' ')} exited ${rc}\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`);
  return { seconds: (end - start) / 1e6, exitCode: rc, stdout, stderr };
}

/** The spawned processes of a PHANES_TRACE file, summed by command (argv0 + first word), longest first. */
export function topSpawns(trace: string, n = 8): string[] {
  const by = new Map<string, { ms: number; count: number }>();
  let total = 0;
  for (const line of trace.split('\n').filter(Boolean)) {
    const [, dur, , argv] = line.split('\t');
    const words = (argv ?? '').split(' ');
    const name = words.slice(0, words[0] === 'apt-get' || words[0] === 'systemctl' || words[0] === 'ufw' ? 2 : 1).join(' ');
    const e = by.get(name) ?? { ms: 0, count: 0 };
    e.ms += Number(dur);
    e.count += 1;
    total += Number(dur);
    by.set(name, e);
  }
  const rows = [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, n).map(([name, e]) => `${e.ms.toFixed(0).padStart(7)} ms  ${String(e.count).padStart(3)}×  ${name}`);
  const count = [...by.values()].reduce((a, e) => a + e.count, 0);
  return [`${count} processes, ${total.toFixed(0)} ms summed (they may overlap):`, ...rows];
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }

/** Self time by function from a V8 .cpuprofile, the heaviest first. */
export function topFunctions(profileJson: string, n = 10): string[] {
  const p = JSON.parse(profileJson) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const nodes = new Map(p.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = nodes.get(id)!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [`cpu profile, ${total.toFixed(0)} ms sampled; self time:`, ...[...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${name}`)];
}

// ---- startup (was scripts/bench-startup.mjs) ----

/** An executable like dist/phanes whose whole program writes one line: the floor no single executable beats. */
export function emptySea(): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'phanes-bench-'));
  const at = (f: string): string => join(dir, f);
  writeFileSync(at('main.js'), "process.stdout.write('phanes\\n');\n");
  writeFileSync(at('sea.json'), JSON.stringify({ main: at('main.js'), output: at('blob'), disableExperimentalSEAWarning: true, useCodeCache: true }));
  const r = spawnSync(process.execPath, ['--experimental-sea-config', at('sea.json')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node --experimental-sea-config failed: ${r.stderr}`);
  injectSea(at('blob'), at('empty-sea'));
  return { path: at('empty-sea'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One run's wall time in ms, from spawn to exit. */
function once(argv: readonly string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error || r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.error?.message ?? `exit ${r.status}: ${r.stderr}`}`);
  return elapsed;
}

/**
 * Median wall time of each command, `warmup` then `runs` runs, interleaved (run i of every command back
 * to back) so a busy machine skews them alike.
 */
export function startupMedians(commands: Record<string, readonly string[]>, runs = 20, warmup = 2): Record<string, number> {
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, [] as number[]]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, argv] of Object.entries(commands)) {
      const t = once(argv);
      if (i >= warmup) times[k]!.push(t);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, t]) => [k, median(t)]));
}

// ---- a journal of 100,000 events ----

type Run = PhanesEvent[];

/** The runs of a journal: each from its RunStarted to the event before the next one. */
function runsOf(events: readonly PhanesEvent[]): Run[] {
  const runs: Run[] = [];
  for (const e of events) {
    if (e.type === 'RunStarted' || runs.length === 0) runs.push([]);
    runs.at(-1)!.push(e);
  }
  return runs;
}

/** A copy of a run with a new run id and its times moved to start at `at` (ms). */
function replay(run: Run, runId: string, at: number): Run {
  const t0 = Date.parse(run[0]!.data.at);
  return run.map((e) => {
    const data = { ...e.data, at: new Date(at + (Date.parse(e.data.at) - t0)).toISOString() } as Record<string, unknown>;
    if ('runId' in data) data.runId = runId;
    return { type: e.type, data } as unknown as PhanesEvent;
  });
}

/**
 * A journal of `total` events made of the real runs of `journal` (a fresh apply, then no-change
 * re-applies and the like), replayed one after another a day apart so the history reads as months of
 * runs; the real journal comes last, so the projection ends as the host really is. Written as the
 * Journal writes lines, then read back and snapshotted as an apply leaves it.
 */
export async function buildBigJournal(journalText: string, dir: string, total: number): Promise<{ events: number; bytes: number }> {
  const real = journalText.split('\n').filter(Boolean).map((l) => JSON.parse(l) as PhanesEvent);
  const runs = runsOf(real);
  const lines: string[] = [];
  let n = 0;
  let at = Date.parse(real[0]!.data.at) - 3 * 365 * 86_400_000;
  for (let added = true; added;) {
    added = false; // a pass that fits no whole run ends the loop
    for (const run of runs) {
      if (n + run.length + real.length > total) continue;
      for (const e of replay(run, `bench-${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`, at)) lines.push(JSON.stringify(e));
      n += run.length;
      at += 3_600_000;
      added = true;
    }
  }
  // Top up with single events of the smallest run so the count is exact.
  const filler = runs.reduce((a, b) => (b.length < a.length ? b : a));
  while (n + real.length < total) {
    lines.push(JSON.stringify(replay(filler, `bench-${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`, at)[0]));
    n += 1;
  }
  for (const e of real) lines.push(JSON.stringify(e));
  writeFileSync(join(dir, 'journal.jsonl'), `${lines.join('\n')}\n`, { mode: 0o600 });
  const loaded = await loadState(dir, { write: true });
  return { events: loaded.state.eventCount, bytes: readFileSync(join(dir, 'journal.jsonl')).length };
}

/**
 * Median ms of appending one event (a fresh Journal each time: open, tail check, write, fsync, close)
 * to a journal of `keep` events copied from `source`.
 */
export function appendMedian(source: string, keep: number, runs = 31): number {
  const dir = mkdtempSync(join(tmpdir(), 'phanes-append-'));
  try {
    const lines = readFileSync(source, 'utf8').split('\n').filter(Boolean).slice(0, keep);
    writeFileSync(join(dir, 'journal.jsonl'), `${lines.join('\n')}\n`, { mode: 0o600 });
    const sample = lines.map((l) => JSON.parse(l) as PhanesEvent).find((e) => e.type === 'ChangeApplied')!;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const j = new Journal(dir);
      j.append({ ...sample, data: { ...sample.data, seq: 1_000_000 + i, at: new Date().toISOString() } } as PhanesEvent);
      j.close();
      times.push(performance.now() - t);
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const repoFile = (rel: string): string => join(dirname(dirname(dirname(new URL(import.meta.url).pathname))), rel);
