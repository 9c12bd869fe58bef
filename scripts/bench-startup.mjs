#!/usr/bin/env node
// Startup benchmark: wall time of `dist/phanes --help` and of `node dist/phanes.cjs --help`,
// 2 warm-up runs then 20 timed runs each. Prints figures only; it never fails on a target.
//   node scripts/bench-startup.mjs [--runs N] [--warmup N] [-- ARGS...]   (ARGS default: --help)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, warmup: { type: 'string', default: '2' } },
  allowPositionals: true,
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const args = positionals.length > 0 ? positionals : ['--help'];

const binary = join(root, 'dist', 'phanes');
const bundle = join(root, 'dist', 'phanes.cjs');
const subjects = [
  { label: 'dist/phanes', command: binary, args, needs: binary },
  { label: 'node dist/phanes.cjs', command: process.execPath, args: [bundle, ...args], needs: bundle },
];

/** One run's wall time in ms, from spawn to exit (stdout/stderr captured, not printed). */
function once({ command, args: argv }) {
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

console.log(`startup of \`${args.join(' ')}\`: ${warmup} warm-up + ${runs} runs each (node ${process.version})`);
let failed = false;
for (const subject of subjects) {
  if (!existsSync(subject.needs)) {
    console.log(`${subject.label.padEnd(22)} missing: run npm run build first`);
    failed = true;
    continue;
  }
  try {
    for (let i = 0; i < warmup; i++) once(subject);
    const times = Array.from({ length: runs }, () => once(subject));
    console.log(
      `${subject.label.padEnd(22)} median ${f(median(times))}   min ${f(Math.min(...times))}   max ${f(Math.max(...times))}`,
    );
  } catch (error) {
    console.log(`${subject.label.padEnd(22)} ${error.message}`);
    failed = true;
  }
}
if (failed) process.exitCode = 1;
