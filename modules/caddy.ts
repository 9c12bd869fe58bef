import type { Config } from '../src/config/index.js';
import type { Module } from '../src/engine/module.js';
import { render } from '../src/render.js';
import { aptRepo, type AptRepoSpec } from '../src/resources/apt-repo.js';
import { file } from '../src/resources/file.js';
import { pkg } from '../src/resources/package.js';
import { service } from '../src/resources/service.js';
import { openPorts } from './security/firewall.js';
import { siteProblems, WEB_PORTS } from './web/sites.js';

export const CADDYFILE = '/etc/caddy/Caddyfile';
/** Caddy reads the temp copy through the caddyfile adapter, so its name needs no extension. */
export const CADDY_VALIDATE = ['caddy', 'validate', '--adapter', 'caddyfile', '--config'];

/** Caddy's stable repository (Cloudsmith); one suite for every distribution release. */
export const CADDY_REPO: AptRepoSpec = {
  name: 'caddy',
  keyUrl: 'https://dl.cloudsmith.io/public/caddy/stable/gpg.key',
  uri: 'https://dl.cloudsmith.io/public/caddy/stable/deb/debian',
  suites: ['any-version'],
  components: ['main'],
};

/** The Caddyfile for `caddy.sites`: one site block each, static files or a reverse proxy. */
export function caddyfile(sites: Config['caddy']['sites']): string {
  return render('caddy/Caddyfile.liquid', {
    sites: sites.map((s) => ({ host: s.host, static: Boolean(s.root), root: s.root ?? '', reverse_proxy: s.reverse_proxy ?? '', tls_internal: s.tls_internal === true })),
  });
}

export const caddy: Module = {
  name: 'caddy',
  description: 'Caddy web server',
  resources(ctx) {
    const { caddy: conf } = ctx.config;
    if (!conf.enabled) return [];
    return [
      ...(conf.source === 'upstream' ? aptRepo(CADDY_REPO) : []),
      pkg('caddy'),
      // Validated on a temp copy before it is installed: a rejected file never replaces the one serving.
      file(CADDYFILE, { content: caddyfile(conf.sites), validate: [...CADDY_VALIDATE, '{}'], notify: ['service:caddy'] }),
      service('caddy', { onChange: 'reload', verify: [...CADDY_VALIDATE, CADDYFILE] }),
      ...openPorts(ctx, WEB_PORTS),
    ];
  },
  preflight: (ctx) => (ctx.config.caddy.enabled ? siteProblems('caddy.sites', ctx.config.caddy.sites, 'host', 'reverse_proxy') : []),
};
