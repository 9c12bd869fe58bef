import type { ModuleContext } from '../../src/engine/module.js';

/** The firewall rules a web server needs: HTTP and HTTPS. */
export const WEB_PORTS = ['80/tcp', '443/tcp'];

/**
 * Checks a schema cannot word well for a list of sites: each names exactly one of a document root or
 * an upstream, and no name appears twice (its file or site block would clash).
 */
export function siteProblems(key: string, sites: readonly Record<string, unknown>[], name: string, upstream: string): string[] {
  const seen = new Set<string>();
  return sites.flatMap((site, i) => {
    const at = `${key}[${i}]`;
    const label = String(site[name]);
    const problems: string[] = [];
    const has = [site.root, site[upstream]].filter((v) => typeof v === 'string' && v !== '').length;
    if (has !== 1) {
      problems.push(`${at} (${label}) needs exactly one of root (static files) or ${upstream} (an upstream), got ${has === 0 ? 'neither' : 'both'}; keep one of them`);
    }
    if (seen.has(label)) problems.push(`${at}: ${name} ${label} is listed twice in ${key}; merge the two entries`);
    seen.add(label);
    return problems;
  });
}

/** nginx and Caddy both bind ports 80 and 443: a run may manage only one of them. */
export function serverClash(ctx: ModuleContext): string[] {
  const { modules, config } = ctx;
  if (!modules.includes('nginx') || !modules.includes('caddy') || !config.nginx.enabled || !config.caddy.enabled) return [];
  return ['nginx.enabled and caddy.enabled are both true in this run, and both servers bind ports 80 and 443; '
    + 'set one of them to false, or leave nginx or caddy out of --modules'];
}
