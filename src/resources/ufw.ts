import type { Snapshot } from '../../state/events.js';
import { PhanesError } from '../errors.js';
import type { Decl, Kind, KindContext } from './types.js';
import { ufwSource } from './ufw-source.js';

/**
 * ufw, read from its own files in one batch (no process): ufw.conf says whether it is enabled
 * (what `ufw status` reports), /etc/default/ufw holds the default policies and user(6).rules the
 * rules, one `### tuple ###` line each. Changes go through the ufw command.
 *
 * Four kinds of id: `default incoming|outgoing|routed` ({policy}), `<action> <port spec>` such as
 * `allow 22/tcp`, or `allow 9100/tcp from 10.0.0.0/8` for one source only ({present}), `sysctl file` ({path}: IPT_SYSCTL, the sysctl file ufw applies when it
 * starts, '' for none) and `enabled` ({enabled}).
 */
export type UfwPolicy = 'allow' | 'deny' | 'reject';
export type UfwDirection = 'incoming' | 'outgoing' | 'routed';
const ACTIONS = ['allow', 'deny', 'reject', 'limit'] as const;
type UfwAction = (typeof ACTIONS)[number];

const UFW_BIN = '/usr/sbin/ufw';

export const UFW_FILES = {
  conf: '/etc/ufw/ufw.conf',
  defaults: '/etc/default/ufw',
  rules: '/etc/ufw/user.rules',
  rules6: '/etc/ufw/user6.rules',
} as const;

/** Rules Phanes adds carry this comment, so `ufw status` shows who added them. */
export const UFW_COMMENT = 'phanes';

export function ufwDefault(direction: UfwDirection, policy: UfwPolicy): Decl {
  return { kind: 'ufw', id: `default ${direction}`, desired: { policy } };
}

/**
 * An incoming rule: `22/tcp`, `443`, `60000:61000/udp` from anywhere, or with ` from <address or
 * network>` from that source only. The id carries the source as ufw writes it, so it reads back.
 */
export function ufwRule(action: UfwAction, spec: string): Decl {
  const { ports, from } = ruleSpec(spec); // refuse a malformed spec when declaring, not when applying
  return { kind: 'ufw', id: `${action} ${ports}${from ? ` from ${from.address}` : ''}`, desired: { present: true } };
}

/** `9100/tcp from 10.0.0.0/8` → its port part, checked, and its source as ufw writes it (null: anywhere). */
export function ruleSpec(spec: string): { ports: string; port: string; proto: 'tcp' | 'udp' | 'any'; from: { address: string; v6: boolean } | null } {
  const at = spec.indexOf(' from ');
  const ports = at < 0 ? spec : spec.slice(0, at);
  return { ports, ...portSpec(ports), from: at < 0 ? null : ufwSource(spec.slice(at + ' from '.length).trim()) };
}

/** `ufwRule('allow', spec)`: what the ssh part uses to make sure its port is open. */
export const ufwAllow = (spec: string): Decl => ufwRule('allow', spec);

/** Which sysctl file ufw applies whenever it starts (IPT_SYSCTL in /etc/default/ufw); '' for none. */
export function ufwSysctlFile(path: string): Decl {
  return { kind: 'ufw', id: 'sysctl file', desired: { path } };
}

/** What the ufw package ships as IPT_SYSCTL. */
export const UFW_PACKAGE_SYSCTL = '/etc/ufw/sysctl.conf';

export function ufwEnabled(enabled = true): Decl {
  return { kind: 'ufw', id: 'enabled', desired: { enabled } };
}

/** `22/tcp` → port `22`, proto `tcp`; `443` → proto `any`. */
export function portSpec(spec: string): { port: string; proto: 'tcp' | 'udp' | 'any' } {
  const m = /^(\d{1,5}(?::\d{1,5})?)(?:\/(tcp|udp))?$/.exec(spec);
  if (!m || (m[1]!.includes(':') && !m[2])) {
    throw new PhanesError(`"${spec}" is not a ufw port rule`, { suggestion: 'write PORT, PORT/tcp|udp or LOW:HIGH/tcp|udp' });
  }
  return { port: m[1]!, proto: (m[2] as 'tcp' | 'udp' | undefined) ?? 'any' };
}

/** The tuples ufw writes for a simple incoming rule, without a comment: [IPv4, IPv6]. */
export function ruleTuples(action: string, spec: string): [string, string] {
  const { port, proto } = portSpec(spec);
  return [`${action} ${proto} ${port} 0.0.0.0/0 any 0.0.0.0/0 in`, `${action} ${proto} ${port} ::/0 any ::/0 in`];
}

/** The tuples a rule needs to count as present: both families from anywhere (IPv4 only without IPv6), one for a source. */
export function requiredTuples(action: string, spec: string, ipv6: boolean): string[] {
  const { ports, port, proto, from } = ruleSpec(spec);
  if (!from) return ruleTuples(action, ports).slice(0, ipv6 ? 2 : 1);
  return [`${action} ${proto} ${port} ${from.v6 ? '::/0' : '0.0.0.0/0'} any ${from.address} in`];
}

export interface UfwFacts {
  installed: boolean;
  enabled: boolean;
  ipv6: boolean;
  defaults: Record<UfwDirection, UfwPolicy | null>;
  /** IPT_SYSCTL: the sysctl file ufw applies when it starts, '' for none. */
  sysctlFile: string;
  /** Tuples of user.rules and user6.rules, comments stripped. */
  tuples: Set<string>;
}

const POLICY: Record<string, UfwPolicy> = { DROP: 'deny', ACCEPT: 'allow', REJECT: 'reject' };

/** KEY="value" lines of a shell-style config file. */
function shellVars(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_0-9]+)\s*=\s*"?([^"#]*?)"?\s*(?:#.*)?$/.exec(line);
    if (m) vars.set(m[1]!, m[2]!);
  }
  return vars;
}

/**
 * Parse ufw's files. Absent files read as the package's shipped defaults (deny in, allow out,
 * disabled, IPv6 on): that is the state the ufw package installs, so plan predicts what apply sees.
 */
export function parseUfw(files: ReadonlyMap<string, Buffer | null>): UfwFacts {
  const text = (p: string): string | null => files.get(p)?.toString('utf8') ?? null;
  const conf = text(UFW_FILES.conf);
  const defaults = shellVars(text(UFW_FILES.defaults) ?? `IPV6=yes\nDEFAULT_INPUT_POLICY="DROP"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\nDEFAULT_FORWARD_POLICY="DROP"\nIPT_SYSCTL=${UFW_PACKAGE_SYSCTL}\n`);
  const tuples = new Set<string>();
  for (const p of [UFW_FILES.rules, UFW_FILES.rules6]) {
    for (const line of (text(p) ?? '').split('\n')) {
      const m = /^### tuple ### (.*)$/.exec(line.trim());
      if (m) tuples.add(m[1]!.replace(/\s+comment=[0-9a-f]*$/, '').trim());
    }
  }
  const policy = (key: string): UfwPolicy | null => POLICY[(defaults.get(key) ?? '').toUpperCase()] ?? null;
  return {
    installed: conf !== null,
    enabled: shellVars(conf ?? '').get('ENABLED') === 'yes',
    ipv6: (defaults.get('IPV6') ?? 'yes') === 'yes',
    defaults: { incoming: policy('DEFAULT_INPUT_POLICY'), outgoing: policy('DEFAULT_OUTPUT_POLICY'), routed: policy('DEFAULT_FORWARD_POLICY') },
    sysctlFile: defaults.get('IPT_SYSCTL') ?? '',
    tuples,
  };
}

type Parsed = { type: 'default'; direction: UfwDirection } | { type: 'rule'; action: UfwAction; spec: string } | { type: 'enabled' } | { type: 'sysctl' };

function parseId(id: string): Parsed {
  if (id === 'enabled') return { type: 'enabled' };
  if (id === 'sysctl file') return { type: 'sysctl' };
  const [head = '', rest = ''] = [id.slice(0, id.indexOf(' ')), id.slice(id.indexOf(' ') + 1)];
  if (head === 'default' && ['incoming', 'outgoing', 'routed'].includes(rest)) return { type: 'default', direction: rest as UfwDirection };
  if ((ACTIONS as readonly string[]).includes(head)) return { type: 'rule', action: head as UfwAction, spec: rest };
  throw new Error(`unknown ufw resource "${id}"`);
}

/** The state of one declaration, from the facts. A rule is present when every family ufw manages has it. */
export function stateOf(facts: UfwFacts, id: string): Snapshot {
  const p = parseId(id);
  if (p.type === 'enabled') return { enabled: facts.enabled };
  if (p.type === 'default') return { policy: facts.defaults[p.direction] };
  if (p.type === 'sysctl') return { path: facts.sysctlFile };
  return { present: requiredTuples(p.action, p.spec, facts.ipv6).every((t) => facts.tuples.has(t)) };
}

async function read(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const facts = parseUfw(await ctx.host.readFiles(Object.values(UFW_FILES)));
  return new Map(decls.map((d) => [d.id, stateOf(facts, d.id)]));
}

/** The ufw command that brings one resource to `want` (none for the sysctl file, which is a file edit). */
export function ufwCommand(id: string, want: Snapshot): string[] | undefined {
  const p = parseId(id);
  if (p.type === 'sysctl') return undefined;
  if (p.type === 'enabled') return want.enabled === true ? ['ufw', '--force', 'enable'] : ['ufw', 'disable'];
  if (p.type === 'default') return typeof want.policy === 'string' ? ['ufw', 'default', want.policy, p.direction] : undefined;
  const { ports, port, proto, from } = ruleSpec(p.spec);
  // A source-limited rule needs ufw's full syntax: from <source> to any port <port> [proto <proto>].
  const rule = from ? ['from', from.address, 'to', 'any', 'port', port, ...(proto === 'any' ? [] : ['proto', proto])] : [ports];
  return want.present === true ? ['ufw', p.action, ...rule, 'comment', UFW_COMMENT] : ['ufw', 'delete', p.action, ...rule];
}

/** Set IPT_SYSCTL in /etc/default/ufw in place, keeping every other line, the mode and the owner. */
export function withSysctlFile(defaults: string, path: string): string {
  const line = `IPT_SYSCTL=${path === '' ? '""' : path}`;
  return /^IPT_SYSCTL=.*$/m.test(defaults) ? defaults.replace(/^IPT_SYSCTL=.*$/m, line) : `${defaults.replace(/\n?$/, '\n')}${line}\n`;
}

async function setSysctlFile(ctx: KindContext, path: string): Promise<void> {
  const file = UFW_FILES.defaults;
  const [text, st] = [(await ctx.host.readFiles([file])).get(file), (await ctx.host.statFiles([file])).get(file)];
  if (!text || !st) throw new PhanesError(`${file} does not exist`, { suggestion: 'install ufw first (the firewall part declares it before this step)' });
  await ctx.host.writeFile(file, withSysctlFile(text.toString('utf8'), path), { mode: st.mode, owner: st.owner, group: st.group });
}

/** Bring one resource to `want`: a ufw command, or the IPT_SYSCTL edit. */
async function bring(ctx: KindContext, id: string, want: Snapshot): Promise<void> {
  if (parseId(id).type === 'sysctl') return setSysctlFile(ctx, String(want.path));
  const argv = ufwCommand(id, want);
  if (argv) await ctx.host.run(argv);
}

/** The one field each type of ufw resource manages. */
const FIELD = { enabled: 'enabled', default: 'policy', sysctl: 'path', rule: 'present' } as const;

export const ufwKind: Kind = {
  name: 'ufw',
  label: (d) => `ufw ${d.id}`,
  read,
  diff(current, decl) {
    const p = parseId(decl.id);
    if (p.type === 'enabled') return current.enabled === decl.desired.enabled ? [] : [decl.desired.enabled ? 'enable' : 'disable'];
    if (p.type === 'default') {
      return current.policy === decl.desired.policy ? [] : [`${String(current.policy ?? '(none)')} → ${String(decl.desired.policy)}`];
    }
    if (p.type === 'sysctl') return current.path === decl.desired.path ? [] : [`IPT_SYSCTL ${String(current.path || '(none)')} → ${String(decl.desired.path || '(none)')}`];
    return current.present === decl.desired.present ? [] : [decl.desired.present ? 'add' : 'delete'];
  },
  predict: (current, decl) => ({ ...current, ...decl.desired }),
  async converge(ctx, decl) {
    await bring(ctx, decl.id, decl.desired);
  },
  async revert(ctx, decl, current, target) {
    const field = FIELD[parseId(decl.id).type];
    if (current[field] === target[field]) return { result: 'restored' };
    if (target[field] === null || target[field] === undefined) return { result: 'left', note: 'there was no ufw policy before' };
    if (!(await ctx.host.statFiles([UFW_BIN])).get(UFW_BIN)) return { result: 'left', note: 'ufw is no longer installed' };
    await bring(ctx, decl.id, target);
    return { result: 'restored' };
  },
};
