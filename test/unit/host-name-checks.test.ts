import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostNameProblems } from '../../modules/baseline.js';
import { systemAccountProblem } from '../../modules/user.js';

const SUPPORTED = 'de_DE.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\nen_US ISO-8859-1\n';

describe('checks of config names against the host, before any change', () => {
  it('refuses a zone missing from the host zoneinfo, naming the key', () => {
    assert.match(hostNameProblems({ timezone: 'Europe/Kyiv', locale: 'en_US.UTF-8' }, true, false, SUPPORTED)[0] ?? '', /^timezone: Europe\/Kyiv is not in \/usr\/share\/zoneinfo/);
  });
  it('says nothing while the host has no zoneinfo or locale list yet (tzdata and locales come with the run)', () => {
    assert.deepEqual(hostNameProblems({ timezone: 'Europe/Kyiv', locale: 'de_US.UTF-8' }, false, false, undefined), []);
  });
  it('refuses a locale the host glibc does not list, and accepts C.UTF-8 without one', () => {
    assert.match(hostNameProblems({ timezone: 'UTC', locale: 'de_US.UTF-8' }, true, true, SUPPORTED)[0] ?? '', /^locale: de_US\.UTF-8 is not in \/usr\/share\/i18n\/SUPPORTED/);
    assert.deepEqual(hostNameProblems({ timezone: 'UTC', locale: 'C.UTF-8' }, true, true, SUPPORTED), []);
    assert.deepEqual(hostNameProblems({ timezone: 'UTC', locale: 'de_DE.UTF-8' }, true, true, SUPPORTED), []);
  });
  it('refuses a login user that is a system account of the host, and accepts a regular or new one', () => {
    const passwd = 'root:x:0:0::/root:/bin/bash\nsshd:x:101:65534::/run/sshd:/usr/sbin/nologin\ndeploy:x:1000:1000::/home/deploy:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n';
    assert.match(systemAccountProblem('sshd', passwd) ?? '', /^username: sshd is a system account on this host \(uid 101\)/);
    assert.match(systemAccountProblem('nobody', passwd) ?? '', /uid 65534/);
    assert.equal(systemAccountProblem('deploy', passwd), undefined);
    assert.equal(systemAccountProblem('alice', passwd), undefined);
  });
});
