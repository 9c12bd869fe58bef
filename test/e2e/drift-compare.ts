// What may differ between the host before the first apply and after every module is rolled back, by
// name and with the reason, each put down to the module it comes from. Anything else is a defect.

export interface Allowed { module: string; match: RegExp; reason: string }

const ACCOUNT_FILES = /^\/etc\/(passwd|group|shadow|gshadow)-?$/;

export const ALLOWED: readonly Allowed[] = [
  { module: 'system accounts', match: ACCOUNT_FILES, reason: 'purged packages keep the system users and groups they created (Debian policy), and the files keep their backups' },
  { module: 'system accounts', match: /^\/etc\/ld\.so\.cache$/, reason: 'ldconfig ran for the libraries the packages brought' },
  { module: 'baseline', match: /^(\/etc\/localtime|\/etc\/timezone)$/, reason: 'the host was already on UTC (Etc/UTC), so the zone was never a change of Phanes; the tamper moved it and the repair wrote UTC, which rollback leaves' },
  { module: 'user', match: /^\/etc\/sub[ug]id-$/, reason: 'the backups useradd writes when the tamper deleted the user and apply created it again' },
  { module: 'docker', match: /^\/etc\/(cni|cni\/net\.d|docker|docker\/key\.json)$/, reason: "dockerd's identity key and containerd's CNI directory are made at first start by no package, so purge leaves them" },
  { module: 'docker', match: /^group:docker$/, reason: "docker.io's postinst created the docker group; purge never deletes a system group" },
  { module: 'docker', match: /^sysctl:net\.ipv[46]\.(conf|neigh)\.docker0\./, reason: 'the docker0 bridge dockerd made stays until reboot; these are its settings' },
  { module: 'docker', match: /^sysctl:net\.ipv4\.(ip_forward|conf\.[a-z0-9]+\.forwarding)$/, reason: 'dockerd turns forwarding on when it starts (the security module leaves forwarding to docker in such a run); a reboot turns it off' },
  { module: 'postgres', match: /^(passwd|group):postgres$|^group:ssl-cert$/, reason: "postgresql-common's system user and groups, kept on purge" },
  { module: 'caddy', match: /^(passwd|group):caddy$|^group:www-data$/, reason: "caddy's system user, kept on purge, and its membership in www-data" },
  {
    module: 'devtools',
    match: /^dpkg:(python3|python3\.11|python3-minimal|python3\.11-minimal|libpython3-stdlib|libpython3\.11-(minimal|stdlib)|libreadline8|libsqlite3-0|media-types|readline-common):|^\/etc\/(python3|python3\.11|python3\/debian_config|python3\.11\/sitecustomize\.py|mime\.types|inputrc)$/,
    reason: "security's ufw and fail2ban pulled python3 in; devtools then declared it, found it installed and only watched it, but apt marked it manually installed, so no rollback purges it (Phanes purges only what it installed)",
  },
];

/** The differences each allowed entry explains, by module, and the ones none explains. */
export function explain(diffs: readonly string[]): { byModule: Map<string, string[]>; unexplained: string[] } {
  const byModule = new Map<string, string[]>();
  const unexplained: string[] = [];
  for (const d of diffs) {
    const key = d.slice(0, d.indexOf(' '));
    const hit = ALLOWED.find((a) => a.match.test(key));
    if (hit) byModule.set(hit.module, [...(byModule.get(hit.module) ?? []), key]);
    else unexplained.push(d);
  }
  return { byModule, unexplained };
}
