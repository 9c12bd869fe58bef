import type { Config } from '../src/config/index.js';
import type { Module } from '../src/engine/module.js';
import { render } from '../src/render.js';
import { file } from '../src/resources/file.js';
import { line } from '../src/resources/line.js';
import { pkg } from '../src/resources/package.js';
import { service } from '../src/resources/service.js';

export const REDIS_CONF = '/etc/redis/redis.conf';
export const PHANES_CONF = '/etc/redis/phanes.conf';
export const INCLUDE_LINE = `include ${PHANES_CONF}`;

/** A value as redis.conf reads it: in double quotes, with `\` and `"` escaped. */
export const redisQuote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The include file: bind, protected mode, requirepass and the memory limit. It holds the password. */
export function redisConf(redis: Config['redis']): string {
  return render('redis/phanes.conf.liquid', {
    bind: redis.bind, password: redisQuote(redis.password), maxmemory: redis.maxmemory, maxmemory_policy: redis.maxmemory_policy,
  });
}

export const redis: Module = {
  name: 'redis',
  description: 'Redis server with a password',
  resources({ config }) {
    if (!config.redis.enabled) return [];
    const restart = ['service:redis-server'];
    return [
      pkg('redis-server'),
      // Secret: never diffed, and its content is kept out of the state directory.
      file(PHANES_CONF, { content: redisConf(config.redis), mode: 0o640, owner: 'redis', secret: true, notify: restart }),
      // The package's own file stays as it is but for this one line at its end, so its settings lose to ours.
      line(REDIS_CONF, INCLUDE_LINE, undefined, restart),
      service('redis-server', { onChange: 'restart' }),
    ];
  },
};
