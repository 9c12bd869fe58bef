import { bootHost } from './harness/index.js';
const suite = (process.argv[2] ?? 'bookworm') as 'bookworm' | 'trixie';
const h = await bootHost({ suite });
try {
  console.log((await h.exec('systemctl is-system-running; systemctl --failed --no-legend; cat /etc/os-release | head -2; hostname; getent hosts $(hostname); id; grep Cap /proc/self/status; date -s "2020-01-01" ; echo date-rc=$?; cat /proc/self/cgroup; systemd-detect-virt -c', { reject: false })).stdout);
  console.log((await h.ssh('echo ssh-ok; hostname')).stdout);
} finally {
  const t = Date.now(); await h.down(); console.log('down in', Date.now() - t);
}
