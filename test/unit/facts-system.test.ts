import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOsRelease, procSysMounts, sysctlWritable } from '../../src/facts/system.js';

const NSPAWN = [
  '620 600 0:60 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '621 620 0:60 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw',
  '622 621 0:60 /sys/net /proc/sys/net rw,nosuid,nodev,noexec,relatime - proc proc rw',
].join('\n');

describe('system facts', () => {
  it('reads the distro and codename from os-release', () => {
    const os = parseOsRelease('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    assert.deepEqual([os.ID, os.VERSION_ID, os.VERSION_CODENAME], ['debian', '12', 'bookworm']);
  });
  it('finds the read-only and writable mounts of /proc/sys', () => {
    assert.deepEqual(procSysMounts(NSPAWN), [{ at: '/proc/sys', ro: true }, { at: '/proc/sys/net', ro: false }]);
  });
  it('says a sysctl is writable by the deepest mount that holds it', () => {
    const system = { procSysMounts: procSysMounts(NSPAWN) };
    assert.equal(sysctlWritable(system, 'net.ipv4.tcp_syncookies'), true);
    assert.equal(sysctlWritable(system, 'kernel.kptr_restrict'), false);
  });
  it('treats a plain /proc/sys as writable, and a read-only one as read-only for net keys too', () => {
    assert.equal(sysctlWritable({ procSysMounts: [] }, 'net.ipv4.ip_forward'), true);
    assert.equal(sysctlWritable({ procSysMounts: [{ at: '/proc/sys', ro: true }] }, 'net.ipv4.ip_forward'), false);
  });
});
