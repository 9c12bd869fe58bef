import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dpkgCause, parseDpkgLog, parseOwners } from '../../src/facts/package-history.js';

// Lines as Debian 12's dpkg writes them.
const LOG = [
  '2026-12-04 15:40:10 startup archives unpack',
  '2026-12-04 15:40:11 install nginx-common:all <none> 1.22.1-9',
  '2026-12-04 15:40:12 status installed nginx-common:all 1.22.1-9',
  '2026-12-04 16:10:00 upgrade base-files:amd64 12.4+deb12u5 12.4+deb12u5',
  '2026-12-04 16:20:00 remove fail2ban:all 1.0.2-2 <none>',
].join('\n');

describe('dpkg history', () => {
  it('reads install, upgrade and remove lines and drops the architecture', () => {
    assert.deepEqual(parseDpkgLog(LOG).map((a) => [a.action, a.pkg, a.to]), [
      ['install', 'nginx-common', '1.22.1-9'], ['upgrade', 'base-files', '12.4+deb12u5'], ['remove', 'fail2ban', '<none>'],
    ]);
  });

  it('maps paths to their owning package from dpkg-query -S, skipping diversions', () => {
    const owners = parseOwners('base-files: /etc/issue\nnginx-common:all: /etc/nginx/nginx.conf\ndiversion by foo from: /etc/x\n');
    assert.equal(owners.get('/etc/issue'), 'base-files');
    assert.equal(owners.get('/etc/nginx/nginx.conf'), 'nginx-common');
    assert.equal(owners.has('/etc/x'), false);
  });

  it('names a package upgrade after Phanes wrote the file as the cause, with versions and time', () => {
    const history = { owners: new Map(), actions: parseDpkgLog(LOG) };
    const since = new Date('2026-12-04T16:00:00').toISOString();
    assert.equal(dpkgCause(history, 'base-files', since), 'changed by a package upgrade (base-files 12.4+deb12u5 → 12.4+deb12u5, 2026-12-04 16:10:00)');
    assert.equal(dpkgCause(history, 'fail2ban', since), 'changed by a package remove (fail2ban 1.0.2-2 → <none>, 2026-12-04 16:20:00)');
  });

  it('blames nothing dpkg did before Phanes last wrote or saw the resource', () => {
    const history = { owners: new Map(), actions: parseDpkgLog(LOG) };
    assert.equal(dpkgCause(history, 'nginx-common', new Date('2026-12-04T16:00:00').toISOString()), undefined);
    assert.equal(dpkgCause(history, undefined, new Date(0).toISOString()), undefined);
  });

  it('blames a change outside Phanes when the file was written after dpkg was done with it', () => {
    const history = { owners: new Map(), actions: parseDpkgLog(LOG) };
    const since = new Date('2026-12-04T16:00:00').toISOString();
    assert.equal(dpkgCause(history, 'base-files', since, new Date('2026-12-04T16:30:00').getTime()), undefined);
    assert.match(dpkgCause(history, 'base-files', since, new Date('2026-12-04T16:10:00').getTime()) ?? '', /^changed by a package upgrade/);
  });
});
