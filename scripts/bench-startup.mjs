#!/usr/bin/env node
// Startup benchmark: wall time of `dist/phanes --help` and of `node dist/phanes.cjs --help`,
// 2 warm-up runs then 20 timed runs each, interleaved (run i of every subject back to back) so
// a busy machine skews them alike. Two floors are timed too: `node -e 0`, which no Node program beats,
// and an empty single executable built here the same way as dist/phanes (this node, stripped, code
// cache) whose script only writes one line to stdout, which no single executable beats; and
// `dist/phanes list`, the cheapest command that loads the core (src/core-loader.ts).
// Prints figures only; it never fails on a target.
//   node scripts/bench-startup.mjs [--runs N] [--warmup N] [--cpu N] [-- ARGS...]   (ARGS default: --help)
// --cpu N pins every run to CPU N (taskset): on a VM one vCPU can be steadily slower than another,
// which makes an unpinned median depend on where the scheduler put the runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { injectSea } from './lib/sea.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, warmup: { type: 'string', default: '2' }, cpu: { type: 'string' } },
  allowPositionals: true,
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const args = positionals.length > 0 ? positionals : ['--help'];

const binary = join(root, 'dist', 'phanes');
const bundle = join(root, 'dist', 'phanes.cjs');
const floorSea = emptySea();
process.on('exit', () => rmSync(dirname(floorSea), { recursive: true, force: true }));
const subjects = [
  { label: 'dist/phanes', command: binary, args, needs: binary },
  { label: 'node dist/phanes.cjs', command: process.execPath, args: [bundle, ...args], needs: bundle },
  { label: 'floor: node -e 0', command: process.execPath, args: ['-e', '0'], needs: process.execPath },
  { label: 'floor: empty SEA', command: floorSea, args: [], needs: floorSea },
  { label: 'dist/phanes list', command: binary, args: ['list'], needs: binary },
];
const pin = values.cpu === undefined ? [] : ['taskset', '-c', values.cpu];

/** An executable like dist/phanes whose whole program writes one line; its path in a temp dir. */
function emptySea() {
  const dir = mkdtempSync(join(tmpdir(), 'phanes-bench-'));
  const at = (f) => join(dir, f);
  writeFileSync(at('main.js'), "process.stdout.write('phanes\\n');\n");
  writeFileSync(at('sea.json'), JSON.stringify({ main: at('main.js'), output: at('blob'), disableExperimentalSEAWarning: true, useCodeCache: true }));
  const r = spawnSync(process.execPath, ['--experimental-sea-config', at('sea.json')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node --experimental-sea-config failed: ${r.stderr}`);
  injectSea(at('blob'), at('empty-sea'));
  return at('empty-sea');
}

/** One run's wall time in ms, from spawn to exit (stdout/stderr captured, not printed). */
function once({ command: bare, args: bareArgs }) {
  const [command, ...argv] = [...pin, bare, ...bareArgs];
  const start = process.hrtime.bigint();
  const r = spawnSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error || r.status !== 0) {
    throw new Error(`${command} ${argv.join(' ')} failed: ${r.error?.message ?? `exit ${r.status}: ${r.stderr}`}`);
  }
  return elapsed;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const f = (x) => `${x.toFixed(1).padStart(7)} ms`;

console.log(`startup of \`${args.join(' ')}\`: ${warmup} warm-up + ${runs} runs each (node ${process.version}${pin.length ? `, pinned to CPU ${values.cpu}` : ''})`);
let failed = false;
const ready = subjects.filter((subject) => {
  if (existsSync(subject.needs)) return true;
  console.log(`${subject.label.padEnd(22)} missing: run npm run build first`);
  failed = true;
  return false;
});
const times = new Map(ready.map((subject) => [subject, []]));
try {
  for (let i = 0; i < warmup; i++) for (const subject of ready) once(subject);
  for (let i = 0; i < runs; i++) for (const subject of ready) times.get(subject).push(once(subject));
} catch (error) {
  console.log(error.message);
  process.exit(1);
}
for (const [subject, t] of times) {
  console.log(`${subject.label.padEnd(22)} median ${f(median(t))}   min ${f(Math.min(...t))}   max ${f(Math.max(...t))}`);
}
if (failed) process.exitCode = 1;
