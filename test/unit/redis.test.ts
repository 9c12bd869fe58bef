import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INCLUDE_LINE, PHANES_CONF, redis, redisConf, redisQuote, REDIS_CONF } from '../../modules/redis.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import { applyModules } from '../../src/engine/apply.js';
import { initialState } from '../../state/projector.js';
import { MemoryHost } from './support/memory-host.js';
import { memoryRecorder } from './support/memory-recorder.js';
import { collectingReporter } from './support/plan.js';
import type { SystemFacts } from '../../src/facts/system.js';

const PASSWORD = 'redis-secret-password-42';
const SYSTEM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const redisOf = (o: Partial<Config['redis']> = {}): Config['redis'] => ({ ...defaultConfig().redis, password: PASSWORD, ...o });

describe('redis include file', () => {
  it('binds loopback, keeps protected mode and asks for the password', () => {
    const text = redisConf(redisOf());
    assert.match(text, /^bind 127\.0\.0\.1 ::1$/m);
    assert.match(text, /^protected-mode yes$/m);
    assert.match(text, new RegExp(`^requirepass "${PASSWORD}"$`, 'm'));
    assert.match(text, /^maxmemory-policy noeviction$/m);
    assert.doesNotMatch(text, /^maxmemory /m);
  });

  it('sets maxmemory only when given, and quotes a password as redis.conf reads it', () => {
    assert.match(redisConf(redisOf({ maxmemory: '256mb', maxmemory_policy: 'allkeys-lru' })), /^maxmemory 256mb\nmaxmemory-policy allkeys-lru$/m);
    assert.equal(redisQuote('a"b\\c'), '"a\\"b\\\\c"');
  });
});

describe('redis resources', () => {
  const decls = redis.resources({ config: { ...defaultConfig(), redis: redisOf() }, system: SYSTEM, modules: ['redis'] });

  it('installs redis-server, writes the include file as secret 0640 redis, adds one include line and restarts on change', () => {
    assert.deepEqual(decls.map((d) => `${d.kind}:${d.id}`), ['package:redis-server', `file:${PHANES_CONF}`, `line:${REDIS_CONF}#${INCLUDE_LINE}`, 'service:redis-server']);
    const conf = decls[1]!;
    assert.equal(conf.secret, true);
    assert.equal(conf.desired.mode, 0o640);
    assert.equal(conf.desired.owner, 'redis');
    assert.deepEqual(conf.notify, ['service:redis-server']);
    assert.deepEqual(decls[2]!.notify, ['service:redis-server']);
    assert.equal((decls[3]!.options as { onChange: string }).onChange, 'restart');
  });

  it('declares nothing when switched off', () => {
    assert.deepEqual(redis.resources({ config: { ...defaultConfig(), redis: redisOf({ enabled: false }) }, system: SYSTEM, modules: ['redis'] }), []);
  });

  it('keeps the password out of the journal, the blobs and the reported diff when applied', async () => {
    const host = new MemoryHost();
    host.put(REDIS_CONF, 'bind 127.0.0.1 -::1\n');
    host.put(PHANES_CONF, 'requirepass "an-older-password-here"\n');
    const rec = memoryRecorder();
    const reporter = collectingReporter();
    const files = decls.filter((d) => d.kind === 'file' || d.kind === 'line');
    const result = await applyModules({
      host, plan: [{ module: redis, decls: files }], dryRun: false, recorder: rec, projection: initialState(), reporter,
      secrets: [PASSWORD], run: { version: 't', hostname: 'h' },
    });
    assert.equal(result.ok, true, String(result.failure));
    assert.match(host.text(PHANES_CONF)!, new RegExp(PASSWORD));
    const everything = JSON.stringify(rec.events) + JSON.stringify(reporter.steps) + [...rec.blobs.values()].map(String).join('');
    assert.doesNotMatch(everything, new RegExp(PASSWORD));
    assert.doesNotMatch(everything, /an-older-password-here/, 'nor the password the file held before');
  });
});
