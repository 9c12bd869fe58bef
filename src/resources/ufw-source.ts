import { PhanesError } from '../errors.js';

/**
 * A rule's source address as ufw writes it into user.rules, so a declared rule reads back as
 * present: IPv4 loses a /32 and its host bits (10.1.2.3/8 → 10.0.0.0/8); IPv6 loses a /128 and is
 * written the way inet_ntop prints it (2001:0db8:0::5 → 2001:db8::5), its host bits kept as ufw keeps them.
 */
export function ufwSource(text: string): { address: string; v6: boolean } {
  const [addr = '', prefix, extra] = text.split('/');
  const bad = (): PhanesError => new PhanesError(`"${text}" is not an IP address or network`, { suggestion: 'write an address such as 192.0.2.10 or a network such as 10.0.0.0/8' });
  if (extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) throw bad();
  const v6 = addr.includes(':');
  const bits = prefix === undefined ? (v6 ? 128 : 32) : Number(prefix);
  if (bits > (v6 ? 128 : 32)) throw bad();
  if (!v6) {
    const octets = addr.split('.').map((o) => (/^\d{1,3}$/.test(o) ? Number(o) : NaN));
    if (octets.length !== 4 || octets.some((o) => !(o <= 255))) throw bad();
    if (bits === 32) return { address: octets.join('.'), v6 };
    const value = octets.reduce((n, o) => n * 256 + o, 0);
    const network = bits === 0 ? 0 : value - (value % 2 ** (32 - bits));
    return { address: `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.')}/${bits}`, v6 };
  }
  const groups = ipv6Groups(addr);
  if (!groups) throw bad();
  return { address: bits === 128 ? formatIpv6(groups) : `${formatIpv6(groups)}/${bits}`, v6 };
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(addr: string): number[] | undefined {
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = part(halves[0] ?? '');
  const tail = halves.length === 2 ? part(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}

/** RFC 5952, as glibc's inet_ntop prints: lower case, no leading zeros, the longest run of 2+ zero groups as `::`. */
function formatIpv6(groups: number[]): string {
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}
