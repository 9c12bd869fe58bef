import assert from 'node:assert/strict';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUNDLE, ndjson, phanes, tempDir } from './support.js';

describe('phanes list', () => {
  it('lists the modules and profiles this build has', async () => {
    const r = await phanes(['list']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /baseline\s+timezone/);
    assert.match(r.stdout, /user\s+sudo user/);
    assert.match(r.stdout, /minimal\s+baseline, user, security, swap, updates/);
  });
  it('prints one JSON object per line with a summary last', async () => {
    const lines = ndjson((await phanes(['list', '--json'])).stdout);
    assert.ok(lines.some((l) => l.type === 'module' && l.name === 'baseline'));
    assert.equal(lines.at(-1)?.type, 'summary');
  });
  it('keeps the seed form --list working', async () => {
    const r = await phanes(['--list']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Profiles:/);
  });
});

describe('phanes validate', () => {
  it('accepts a valid file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), 'username: alice\ntimezone: Europe/Berlin\n');
    const r = await phanes(['validate'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /valid/);
  });
  it('exits 1 naming the key and line of a bad value, and creates no state dir', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    writeFileSync(join(dir, 'bad.yaml'), 'username: alice\nsecurity:\n  ssh_port: 70000\n');
    for (const cmd of [['validate', '--config', 'bad.yaml'], ['apply', '--modules', 'baseline', '--config', 'bad.yaml'], ['plan', '--modules', 'baseline', '--config', 'bad.yaml']]) {
      const r = await phanes([...cmd, '--state-dir', state], { cwd: dir });
      assert.equal(r.code, 1, cmd.join(' '));
      assert.match(r.stderr, /bad\.yaml:3:\d+: security\.ssh_port/);
      assert.equal(existsSync(state), false, 'no state dir for a bad config');
    }
  });
  it('says an explicitly named config file is missing', async () => {
    const r = await phanes(['validate', '--config', 'nope.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope\.yaml/);
  });
});

describe('phanes schema', () => {
  it('prints a JSON Schema that marks secrets', async () => {
    const r = await phanes(['schema']);
    assert.equal(r.code, 0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
    assert.ok(schema.properties.username);
    assert.equal(schema.properties.redis?.properties?.password?.['x-secret'], true);
  });
});

describe('phanes plan', () => {
  it('plans with the embedded defaults as NDJSON, the summary last, changing nothing', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const r = await phanes(['plan', '--modules', 'baseline,user', '--json', '--state-dir', state], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = ndjson(r.stdout);
    assert.equal(lines[0]?.type, 'run');
    const summary = lines.at(-1)!;
    assert.equal(summary.type, 'summary');
    for (const k of ['changed', 'unchanged', 'skipped', 'failed', 'durationMs']) assert.equal(typeof summary[k], 'number', k);
    assert.ok(lines.some((l) => l.type === 'step' && l.label === 'user deploy'));
    assert.equal(existsSync(state), false, 'plan writes no state');
  });
  it('plans every profile with the embedded defaults, except database, whose passwords it names', async () => {
    for (const profile of ['dev', 'web', 'coolify']) {
      const r = await phanes(['plan', '--profile', profile]);
      assert.equal(r.code, 0, `${profile}: ${r.stderr}`);
      assert.match(r.stdout, /^Summary: \d+ changed/m);
    }
    const db = await phanes(['plan', '--profile', 'database']);
    assert.equal(db.code, 1);
    assert.match(db.stderr, /postgres\.roles\[0\]\.password: role app has no password/);
    assert.match(db.stderr, /redis\.password: redis has no password/);
  });
  it('refuses an unknown profile with the list of profiles', async () => {
    const r = await phanes(['plan', '--profile', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown profile "nope"[\s\S]*minimal/);
  });
  it('keeps the seed form --modules with --dry-run working', async () => {
    const r = await phanes(['--modules', 'baseline', '--dry-run', '--state-dir', join(tempDir(), 's')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Summary: \d+ changed, \d+ unchanged, \d+ skipped, \d+ failed/m);
  });
});

describe('phanes --version and --help', () => {
  it('prints the version and the commit', async () => {
    const r = await phanes(['--version']);
    assert.match(r.stdout, /^phanes \d+\.\d+\.\d+ \([0-9a-f]{7,}(-dirty)?\)\n$/);
  });
  it('shows examples in a command help', async () => {
    const r = await phanes(['apply', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /phanes apply --profile minimal/);
  });
  it('exits 1 on an unknown option', async () => {
    const r = await phanes(['plan', '--bogus']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unsupported option name \("--bogus"\)/);
  });
  it('groups every command in the general help, each with its description', async () => {
    for (const argv of [['--help'], [], ['--dry-run']]) {
      const r = await phanes(argv);
      assert.equal(r.code, 0, argv.join(' '));
      assert.match(r.stdout, /Change the host\n  apply +Bring the host[^\n]*\n  plan +Show what apply[^\n]*\n  confirm +Keep the sshd and ufw changes[^\n]*\n  rollback <module> +Undo a module/);
      assert.match(r.stdout, /See what Phanes did\n  status +[^\n]+\n  diff +[^\n]+\n  log +/);
      assert.match(r.stdout, /Config and modules\n  validate +[^\n]+\n  schema +[^\n]+\n  list +/);
      assert.doesNotMatch(r.stdout, /Other/);
    }
  });
  it('names the commands that exist when the first word is not one', async () => {
    const r = await phanes(['aply']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Command not found/);
    assert.match(r.stderr, /phanes apply/);
  });
  it('answers --help, --version and option errors without loading the core', async () => {
    // The CLI bundle alone, without dist/phanes-core.cjs beside it: startup must not need the engine.
    const dir = tempDir();
    copyFileSync(BUNDLE, join(dir, 'phanes.cjs'));
    const alone = (args: string[]) => phanes(args, { bundle: join(dir, 'phanes.cjs') });
    assert.equal((await alone(['--help'])).code, 0);
    assert.match((await alone(['--version'])).stdout, /^phanes \d/);
    assert.match((await alone(['apply', '--help'])).stdout, /phanes apply --profile minimal/);
    assert.equal((await alone(['plan', '--bogus'])).code, 1);
    const list = await alone(['list']);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /phanes-core\.cjs/);
  });
});
