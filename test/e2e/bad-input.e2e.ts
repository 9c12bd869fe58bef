// Every config of the bad-config corpus, applied for real on a booted bookworm host: each must exit 1
// naming its key path and line, and the host must be exactly as before: the same dpkg selections,
// the same /etc (every file's sha256, every link's target, every mode and owner), and no journal.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { after, before, describe, it } from 'node:test';
import { CASES, CORPUS } from '../cli/bad-configs.js';
import { bootHost, installPhanes, type LabHost } from './harness/index.js';

const DIR = '/root/bad';
const STATE = '/var/lib/phanes';
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

// dpkg's selections and a fingerprint of everything under /etc, one line per path.
const SNAPSHOT = `{ dpkg --get-selections; find /etc -xdev \\( -type f -o -type l -o -type d \\) -printf '%p %m %u:%g %l\\n' | sort;
  find /etc -xdev -type f -print0 | sort -z | xargs -0 sha256sum; }`;

interface Outcome {
  code: number;
  stderr: string;
}

/** One shell script that applies every case in turn and prints `file<TAB>code<TAB>base64(stderr)` per case. */
function script(): string {
  const lines = CASES.map((c) => {
    const env = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
    const run = c.modules ? `--modules ${c.modules}` : `--profile ${c.profile ?? 'minimal'}`;
    return `run ${quote(c.file)} env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NO_COLOR=1 ${env} /usr/local/bin/phanes apply ${run} --config ${DIR}/${c.file}`;
  });
  return [
    'set -u',
    `run() { f=$1; shift; "$@" >/dev/null 2>/tmp/err; printf '%s\\t%s\\t%s\\n' "$f" $? "$(base64 -w0 </tmp/err)"; }`,
    // The two generated cases: a 50 MB file and a binary.
    `{ echo 'username: deploy'; yes '# ${'x'.repeat(200)}' | head -c 52428800; } >${DIR}/fifty-megabytes.yaml`,
    `cp /bin/ls ${DIR}/binary.yaml`,
    `run fifty-megabytes.yaml /usr/local/bin/phanes apply --profile minimal --config ${DIR}/fifty-megabytes.yaml`,
    `run binary.yaml /usr/local/bin/phanes apply --profile minimal --config ${DIR}/binary.yaml`,
    ...lines,
  ].join('\n');
}

describe('bad configs applied on a bookworm lab host', { concurrency: 1 }, () => {
  let host: LabHost;
  let beforeSnapshot: string;
  const outcomes = new Map<string, Outcome>();

  before(async () => {
    host = await bootHost({ suite: 'bookworm' });
    await installPhanes(host);
    const tar = await execa('tar', ['-C', CORPUS, '-cf', '-', '.'], { encoding: 'buffer' });
    await host.exec(['bash', '-c', `mkdir -p ${DIR} && tar -C ${DIR} -xf -`], { input: Buffer.from(tar.stdout) });
    await host.writeFile('/root/run-bad.sh', script(), 0o755);
    beforeSnapshot = (await host.exec(['bash', '-c', SNAPSHOT])).stdout;
    const started = Date.now();
    const { stdout } = await host.exec(['bash', '/root/run-bad.sh'], { timeoutMs: 300_000 });
    for (const line of stdout.trim().split('\n')) {
      const [file = '', code = '', err = ''] = line.split('\t');
      outcomes.set(file, { code: Number(code), stderr: Buffer.from(err, 'base64').toString('utf8') });
    }
    console.log(`[e2e] applied ${outcomes.size} bad configs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  after(() => host?.down());

  it('applied every case, and each exited 1 naming its key path and line', () => {
    assert.equal(outcomes.size, CASES.length + 2);
    for (const c of CASES) {
      const o = outcomes.get(c.file);
      assert.ok(o, `${c.file} did not run`);
      assert.equal(o.code, 1, `${c.file} (${c.what}) exited ${o.code}: ${o.stderr}`);
      const where = `${DIR}/${c.file}:${c.line}:`;
      assert.ok(o.stderr.includes(where) && o.stderr.includes(`${c.path === '' ? '(root)' : c.path}`) && o.stderr.includes(c.fragment), `${c.file} (${c.what}): expected ${where} ${c.path} … ${c.fragment} in:\n${o.stderr}`);
    }
    assert.match(outcomes.get('fifty-megabytes.yaml')?.stderr ?? '', /fifty-megabytes\.yaml:1:1: \(root\): the file is 50\.0 MB/);
    assert.match(outcomes.get('binary.yaml')?.stderr ?? '', /binary\.yaml:\d+:\d+: \(root\): the file is not text/);
  });

  it('left dpkg selections and every file, link, mode and owner under /etc as they were', async () => {
    const afterSnapshot = (await host.exec(['bash', '-c', SNAPSHOT])).stdout;
    const [was, is] = [new Set(beforeSnapshot.split('\n')), new Set(afterSnapshot.split('\n'))];
    const gone = [...was].filter((l) => !is.has(l));
    const added = [...is].filter((l) => !was.has(l));
    console.log(`[e2e] ${beforeSnapshot.split('\n').length} lines of dpkg selections and /etc compared: ${gone.length + added.length} differences`);
    assert.deepEqual({ gone, added }, { gone: [], added: [] });
  });

  it('wrote no journal: the state directory does not exist', async () => {
    const r = await host.exec(['test', '-e', STATE], { reject: false });
    assert.notEqual(r.exitCode, 0, `${STATE} exists`);
  });
});
