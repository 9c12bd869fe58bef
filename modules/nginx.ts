import type { Config } from '../src/config/index.js';
import type { Module } from '../src/engine/module.js';
import type { SystemFacts } from '../src/facts/system.js';
import { render } from '../src/render.js';
import { aptRepo, type AptRepoSpec } from '../src/resources/apt-repo.js';
import { file } from '../src/resources/file.js';
import { pkg } from '../src/resources/package.js';
import { service } from '../src/resources/service.js';
import { openPorts } from './security/firewall.js';
import { serverClash, siteProblems, WEB_PORTS } from './web/sites.js';

/** `nginx -t` after each site file is written: a rejected file is taken back out (the file kind's check). */
export const NGINX_TEST = ['nginx', '-t', '-q'];

/**
 * Where each site lives: conf.d, which both Debian's nginx.conf and nginx.org's include, so one
 * file per site needs no enabling symlink. `*.example.com` becomes `_.example.com` in the name.
 */
export const siteFile = (serverName: string): string => `/etc/nginx/conf.d/phanes-${serverName.replace(/\*/g, '_')}.conf`;

/**
 * The package's own default site: Debian's is sites-available/default (enabled by a symlink), nginx.org
 * ships conf.d/default.conf. Phanes empties it rather than deleting it: the package creates it in the
 * same run, so plan sees it absent and says "create" where apply says "content", and both are one
 * change, as plan must predict. Its original content is recorded, so rollback puts it back.
 */
export const defaultSite = (source: Config['nginx']['source']): string =>
  (source === 'upstream' ? '/etc/nginx/conf.d/default.conf' : '/etc/nginx/sites-available/default');
export const DISABLED_DEFAULT = "# The distribution's default site, disabled by Phanes (nginx module): nginx.sites are served instead.\n"
  + '# `phanes rollback nginx` puts the original back.\n';

/** nginx.org's stable repository for this distribution and release. */
export function nginxRepo(system: Pick<SystemFacts, 'distro' | 'codename'>): AptRepoSpec {
  return {
    name: 'nginx',
    keyUrl: 'https://nginx.org/keys/nginx_signing.key',
    uri: `https://nginx.org/packages/${system.distro === 'ubuntu' ? 'ubuntu' : 'debian'}`,
    suites: [system.codename],
    components: ['nginx'],
  };
}

export function siteConf(site: Config['nginx']['sites'][number]): string {
  return render('nginx/site.conf.liquid', { server_name: site.server_name, static: Boolean(site.root), root: site.root ?? '', proxy_pass: site.proxy_pass ?? '' });
}

export const nginx: Module = {
  name: 'nginx',
  description: 'nginx web server',
  resources(ctx) {
    const { nginx: conf } = ctx.config;
    if (!conf.enabled) return [];
    const notify = ['service:nginx'];
    return [
      ...(conf.source === 'upstream' ? aptRepo(nginxRepo(ctx.system)) : []),
      // Debian splits nginx: nginx-common brings /etc/nginx and the unit, so rollback purges it too.
      ...(conf.source === 'upstream' ? [] : [pkg('nginx-common')]),
      pkg('nginx'),
      file(defaultSite(conf.source), { content: DISABLED_DEFAULT, check: NGINX_TEST, notify }),
      ...conf.sites.map((site) => file(siteFile(site.server_name), { content: siteConf(site), check: NGINX_TEST, notify })),
      service('nginx', { onChange: 'reload', verify: NGINX_TEST }),
      ...openPorts(ctx, WEB_PORTS),
    ];
  },
  preflight: (ctx) => [
    ...serverClash(ctx),
    ...(ctx.config.nginx.enabled ? siteProblems('nginx.sites', ctx.config.nginx.sites, 'server_name', 'proxy_pass') : []),
  ],
};
