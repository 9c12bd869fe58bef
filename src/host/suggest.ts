/** A one-line fix for the failures people hit most, keyed on the command and its stderr. */
export function suggestFor(argv: readonly string[], stderr: string): string | undefined {
  const cmd = argv.join(' ');
  if (/Could not get lock|dpkg was interrupted|Unable to acquire the dpkg frontend lock/.test(stderr)) {
    return 'another apt/dpkg process is running (often unattended-upgrades on first boot); wait for it, or run `dpkg --configure -a`, then re-run';
  }
  if (/Malformed (entry|line)|The list of sources could not be read|Type '.*' is not known|Invalid (URI|suite)/.test(stderr)) {
    return 'an apt source file is broken (named above, under /etc/apt/sources.list or sources.list.d); fix or remove it, then re-run';
  }
  if (/404\s+Not Found|does not have a Release file/.test(stderr)) {
    return 'an apt source names a repository or suite the mirror does not have (404); fix its URIs/Suites or remove it, then re-run';
  }
  if (/Temporary failure resolving|Could not resolve|Failed to fetch/.test(stderr)) {
    return 'the host cannot reach its apt mirror; check DNS and the network, or the apt proxy, then re-run';
  }
  if (/Unable to locate package|has no installation candidate/.test(stderr)) {
    return 'the package is not in the configured apt sources; check its name for this release, or run `apt-get update`';
  }
  if (/Permission denied|Operation not permitted/.test(stderr)) return 'run Phanes as root (sudo phanes ...)';
  if (/^(sshd|\/usr\/sbin\/sshd) -t/.test(cmd)) return 'the sshd configuration is invalid; nothing was reloaded. Fix the reported line and re-run';
  if (/^visudo/.test(cmd)) return 'the sudoers rule is invalid; it was not installed';
  return undefined;
}
