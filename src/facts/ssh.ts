import type { Host } from '../host/host.js';
import { membership, parseGroup, parsePasswd } from './accounts.js';
import { parseUfw as parseUfwFiles, UFW_FILES } from '../resources/ufw.js';

/**
 * What the security module needs to know before it declares sshd settings or refuses a run:
 * which algorithms this OpenSSH knows, where sshd listens now, who can log in with a key, and
 * whether a firewall Phanes does not manage would block a new port. One process and two file
 * batches; everything that cannot be read (plan as a normal user) is null, never a guess.
 */
export interface SshFacts {
  /** Algorithm names this host's OpenSSH knows (`ssh -Q`); empty lists when OpenSSH is absent. */
  algorithms: { kex: string[]; cipher: string[]; mac: string[]; key: string[] };
  /** Ports sshd is configured to listen on now (`sshd -T`); null when unknown (not root, no sshd). */
  ports: number[] | null;
  /** `ssh.socket` is enabled: systemd owns the listening socket (Ubuntu ≥ 22.10), so Port alone does not move it. */
  socketActivated: boolean;
  /** /etc/ssh/sshd_config includes sshd_config.d/*.conf before any setting of its own; null when the file is absent. */
  dropinsFirst: boolean | null;
  /** Login accounts (uid 0 and ≥ 1000) by name. */
  accounts: Record<string, Account>;
  /** ufw as written on disk; null when it is not installed or its rules cannot be read. */
  ufw: UfwFacts | null;
}

export interface Account {
  uid: number;
  home: string;
  groups: string[];
  /** Key types in ~/.ssh/authorized_keys{,2}; null when unreadable (not root). */
  keyTypes: string[] | null;
  /** Whether /etc/shadow holds a usable password (a hash, not locked); unknown when unreadable. */
  hasPassword?: boolean | null;
  /** Whether sudoers lets the user (or one of its groups) run everything without a password; unknown when unreadable. */
  sudoNopasswd?: boolean | null;
}

export interface UfwRule {
  action: 'allow' | 'deny' | 'reject' | 'limit';
  proto: string;
  /** `22`, `80,443`, `60000:61000` or `any`. */
  port: string;
}

export interface UfwFacts {
  /** ENABLED=yes in /etc/ufw/ufw.conf: active now and at boot. */
  enabled: boolean;
  /** DEFAULT_INPUT_POLICY from /etc/default/ufw, lower-case (`drop`, `reject`, `accept`). */
  defaultInput: string;
  /** Incoming rules in ufw's order (first match wins), IPv4 then IPv6. */
  rules: UfwRule[];
}

const ALGORITHM_TYPES = ['kex', 'cipher', 'mac', 'key'] as const;

// One shell for every command fact: the algorithm lists, sshd's port, and socket activation.
const PROBE = [
  'PATH="$PATH:/usr/sbin:/sbin"',
  ...ALGORITHM_TYPES.map((t) => `echo @${t}; ssh -Q ${t} 2>/dev/null`),
  "echo @port; sshd -T 2>/dev/null | grep -i '^port '",
  // Only root reads sudoers: the marker line alone then means "unknown", not "none".
  "echo @nopasswd; [ -r /etc/sudoers ] && echo '#readable' && cat /etc/sudoers /etc/sudoers.d/* 2>/dev/null | grep -iE '^[^#]*NOPASSWD: *ALL *$'",
  'echo @socket; systemctl is-enabled ssh.socket 2>/dev/null',
  'true',
].join('; ');

const FILES = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/ssh/sshd_config', ...Object.values(UFW_FILES)];

/** `root`: whether this run can read other users' files, so a missing authorized_keys means none. */
export async function readSshFacts(host: Host, root: boolean): Promise<SshFacts> {
  const [probe, files] = await Promise.all([
    host.query(['sh', '-c', PROBE], { allowFailure: true }).catch(() => ({ stdout: '' })),
    host.readFiles(FILES),
  ]);
  const text = (p: string): string | null => files.get(p)?.toString('utf8') ?? null;
  const sections = probeSections(probe.stdout);
  const accounts = parseAccounts(text('/etc/passwd') ?? '', text('/etc/group') ?? '');
  const keyFiles = (a: Account): string[] => [`${a.home}/.ssh/authorized_keys`, `${a.home}/.ssh/authorized_keys2`];
  if (root) {
    const keys = await host.readFiles(Object.values(accounts).flatMap(keyFiles));
    for (const a of Object.values(accounts)) a.keyTypes = keyFiles(a).flatMap((p) => authorizedKeyTypes(keys.get(p)?.toString('utf8') ?? ''));
  }
  const shadow = text('/etc/shadow');
  const nopasswd = sections.get('nopasswd') ?? [];
  for (const [name, a] of Object.entries(accounts)) {
    a.hasPassword = shadow === null ? null : usablePassword(shadow, name);
    a.sudoNopasswd = nopasswd[0] === '#readable' ? grantsNopasswd(nopasswd.slice(1), name, a.groups) : null;
  }
  const ports = (sections.get('port') ?? []).map((l) => Number(l.split(/\s+/)[1])).filter((n) => Number.isInteger(n) && n > 0);
  const sshdConfig = text('/etc/ssh/sshd_config');
  return {
    algorithms: { kex: sections.get('kex') ?? [], cipher: sections.get('cipher') ?? [], mac: sections.get('mac') ?? [], key: sections.get('key') ?? [] },
    ports: ports.length ? ports : null,
    socketActivated: (sections.get('socket') ?? [])[0] === 'enabled',
    dropinsFirst: sshdConfig === null ? null : includesDropinsFirst(sshdConfig),
    accounts,
    ufw: ufwFacts(files),
  };
}

/** The shadow field of `name` holds a hash that can be typed: not empty, not `*`, not locked with `!`. */
export function usablePassword(shadow: string, name: string): boolean {
  const field = shadow.split('\n').map((l) => l.split(':')).find((f) => f[0] === name)?.[1] ?? '';
  return field.startsWith('$');
}

/** Some `WHO … NOPASSWD: ALL` line names the user, one of its groups (`%sudo`) or ALL. */
export function grantsNopasswd(lines: readonly string[], name: string, groups: readonly string[]): boolean {
  return lines.some((l) => {
    const who = l.trim().split(/\s+/)[0] ?? '';
    return who === name || who === 'ALL' || (who.startsWith('%') && groups.includes(who.slice(1)));
  });
}

/** `@name` lines start a section; the lines after it are its values. */
export function probeSections(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('@')) out.set(line.slice(1), (current = []));
    else if (line && current) current.push(line);
  }
  return out;
}

/** Accounts that can log in interactively: root and regular users (uid ≥ 1000, not nobody). */
export function parseAccounts(passwd: string, group: string): Record<string, Account> {
  const groups = parseGroup(group);
  const groupsOf = membership(groups);
  const gidName = new Map(groups.map((g) => [g.gid, g.name]));
  const out: Record<string, Account> = {};
  for (const u of parsePasswd(passwd)) {
    if (!(u.uid === 0 || (u.uid >= 1000 && u.uid < 65534))) continue;
    const primary = gidName.get(u.gid);
    out[u.name] = { uid: u.uid, home: u.home, groups: [...new Set([...(primary ? [primary] : []), ...(groupsOf.get(u.name) ?? [])])].sort(), keyTypes: null };
  }
  return out;
}

/** The key type of each key line, skipping options such as `from="…",no-pty` before it. */
export function authorizedKeyTypes(content: string): string[] {
  const types: string[] = [];
  for (const line of content.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const m = /(?:^|[\s,"])((?:ssh|ecdsa|sk)-[a-z0-9@.-]+)\s+AAAA/.exec(line);
    if (m) types.push(m[1]!);
  }
  return types;
}

/**
 * sshd uses the first value it reads. Debian's sshd_config starts with `Include
 * /etc/ssh/sshd_config.d/*.conf`; a drop-in only wins when that comes before any setting.
 */
export function includesDropinsFirst(sshdConfig: string): boolean {
  for (const line of sshdConfig.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    return /^include\s+\/etc\/ssh\/sshd_config\.d\/\*\.conf\s*$/i.test(line);
  }
  return false;
}

/**
 * ufw as the lockout check needs it, from the ufw kind's own reading of its files: the incoming rules
 * that apply to a client from anywhere, in ufw's order. A rule limited to some sources decides nothing
 * for such a client, so it is left out (an allow from one LAN must not pass for an open port).
 */
export function ufwFacts(files: ReadonlyMap<string, Buffer | null>): UfwFacts | null {
  const f = parseUfwFiles(files);
  if (!f.installed) return null;
  const rules: UfwRule[] = [];
  for (const tuple of f.tuples) {
    // allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in  =  action proto dport dst sport src [app names] direction
    const m = /^(allow|deny|reject|limit)(?:_log(?:-all)?)? (\S+) (\S+) \S+ \S+ (\S+)(?: .*)? (in|out)$/.exec(tuple);
    if (m && m[5] === 'in' && (m[4] === '0.0.0.0/0' || m[4] === '::/0')) rules.push({ action: m[1] as UfwRule['action'], proto: m[2]!, port: m[3]! });
  }
  const policy = f.defaults.incoming;
  return { enabled: f.enabled, defaultInput: policy === 'allow' ? 'accept' : policy === 'reject' ? 'reject' : 'drop', rules };
}

/** Whether ufw lets new TCP connections to `port` in: the first matching rule decides, else the default policy. */
export function ufwAllows(ufw: UfwFacts, port: number): boolean {
  if (!ufw.enabled) return true;
  const matches = (spec: string): boolean => spec === 'any' || spec.split(',').some((p) => {
    const [lo, hi] = p.split(':').map(Number);
    return hi === undefined ? lo === port : lo! <= port && port <= hi;
  });
  const rule = ufw.rules.find((r) => (r.proto === 'tcp' || r.proto === 'any') && matches(r.port));
  return rule ? rule.action === 'allow' || rule.action === 'limit' : ufw.defaultInput === 'accept';
}
