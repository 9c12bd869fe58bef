import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { phanes, tempDir } from './support.js';

const SSH = { SSH_CONNECTION: '10.157.83.1 51234 10.157.83.20 22' };

describe('apply and plan --confirm-timeout and --no-confirm', () => {
  it('refuse a timeout that is not whole seconds from 10 to 86400, naming the option, before anything is written', async () => {
    for (const [cmd, value] of [['apply', 'soon'], ['apply', '5'], ['plan', '1.5'], ['plan', '90000']] as const) {
      const state = join(tempDir(), 'state');
      const r = await phanes([cmd, '--modules', 'security', '--confirm-timeout', value, '--state-dir', state], { env: SSH });
      assert.equal(r.code, 1, `${cmd} ${value}`);
      assert.match(r.stderr, new RegExp(`--confirm-timeout "${value.replace('.', '\\.')}" is not a whole number of seconds from 10 to 86400`));
      assert.equal(existsSync(state), false, 'no state dir');
    }
  });

  it('refuse a timeout together with --no-confirm', async () => {
    const r = await phanes(['plan', '--modules', 'security', '--no-confirm', '--confirm-timeout', '60'], { env: SSH });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--confirm-timeout and --no-confirm contradict each other/);
  });

  it('plan over SSH says it would arm the guard before the sshd and ufw changes, with the timeout given', async () => {
    const r = await phanes(['plan', '--modules', 'security', '--confirm-timeout', '45'], { env: SSH });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /would arm a confirm guard: sshd and ufw go back 45 s after the run unless `phanes confirm` comes from a new SSH connection/);
    const at = r.stdout.indexOf('would arm');
    assert.ok(at < r.stdout.indexOf('ufw allow 22/tcp'), 'armed before the first ufw step');
  });

  it('plan with --no-confirm arms nothing', async () => {
    const r = await phanes(['plan', '--modules', 'security', '--no-confirm'], { env: SSH });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /confirm guard/);
  });
});

describe('phanes confirm', () => {
  it('exits 1 with nothing pending, and creates no state dir', async () => {
    const state = join(tempDir(), 'state');
    const r = await phanes(['confirm', '--state-dir', state], { env: SSH });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nothing to confirm: no confirm guard is pending/);
    assert.equal(existsSync(state), false);
  });
});
