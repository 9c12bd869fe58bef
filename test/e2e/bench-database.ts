// A figure, not a test: a fresh `apply --profile database` next to one `apt-get install` of the same
// packages on a twin fresh host, both booted at once from the same base (the lower bound of a fresh run).
// Run after setup.sh and npm run build: npx tsx test/e2e/bench-database.ts [bookworm|trixie]
import { bootHost, installPhanes, phanes, type LabHost, type Suite } from './harness/index.js';
import { ndjson } from './security-lab.js';
import { makeLoginKey } from './support.js';

const suite = (process.argv[2] ?? 'bookworm') as Suite;
const ENV = { PG_PASSWORD: 'bench-postgres-password-0123456789', REDIS_PASSWORD: 'bench-redis-password-0123456789' };

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = Date.now();
  await fn();
  return (Date.now() - t) / 1000;
}

const key = await makeLoginKey();
const config = [
  'username: deploy', `ssh_public_key: "${key.publicLine}"`, 'swap:', '  size: 64M',
  'monitoring:', `  agent: ${suite === 'trixie' ? 'node-exporter' : 'netdata'}`,
  'postgres:', '  roles:', '    - name: app', '      password: "${PG_PASSWORD}"',
  'redis:', '  password: "${REDIS_PASSWORD}"', '',
].join('\n');
let phanesHost: LabHost | undefined;
let aptHost: LabHost | undefined;
try {
  [phanesHost, aptHost] = await Promise.all([
    bootHost({ suite, name: `bench-ph-${suite}`, privileged: true }),
    bootHost({ suite, name: `bench-apt-${suite}`, privileged: true }),
  ]);
  const ph = phanesHost;
  const apt = aptHost;
  await installPhanes(ph);
  await ph.writeFile('/root/config.yaml', config, 0o600);
  // The package set is what plan says apply will install.
  const plan = ndjson((await phanes(ph, ['plan', '--profile', 'database', '--config', '/root/config.yaml', '--json'], { env: ENV })).stdout);
  const packages = plan.filter((e) => e.type === 'step' && e.status === 'planned' && String(e.key).startsWith('package:')).map((e) => String(e.key).slice('package:'.length));
  const [applySeconds, aptSeconds] = await Promise.all([
    timed(() => phanes(ph, ['apply', '--profile', 'database', '--config', '/root/config.yaml'], { env: ENV, timeoutMs: 3_600_000 })),
    timed(() => apt.exec(['sh', '-c', 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"', 'sh', ...packages], { timeoutMs: 3_600_000 })),
  ]);
  const noChange = await timed(() => phanes(ph, ['apply', '--profile', 'database', '--config', '/root/config.yaml'], { env: ENV }));
  console.log(`${suite}: ${packages.length} packages`);
  console.log(`${suite}: one apt-get update + install of them: ${aptSeconds.toFixed(1)} s`);
  console.log(`${suite}: phanes apply --profile database, fresh: ${applySeconds.toFixed(1)} s (${(applySeconds / aptSeconds).toFixed(2)}x apt)`);
  console.log(`${suite}: no-change re-apply: ${noChange.toFixed(2)} s`);
} finally {
  await Promise.allSettled([phanesHost?.down(), aptHost?.down()]);
  key.cleanup();
}
