// A stand-in for Coolify's installer (the real one is out of reach here), served on the lab bridge,
// where only lab hosts reach it. It makes what the real one leaves behind: /data/coolify/source/.env.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { config as lab } from './harness/index.js';

const INSTALLER = '#!/bin/bash\nset -e\nmkdir -p /data/coolify/source\necho "APP_ID=stand-in" > /data/coolify/source/.env\n';

export interface InstallerServer { server: Server; url: string; sha256: string; hits(): number }

/** Serves the stand-in at `<url>`; `hits()` counts the downloads. Close `server` when done. */
export function serveInstaller(): Promise<InstallerServer> {
  let count = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/install.sh') return void res.writeHead(404).end();
    count++;
    res.writeHead(200, { 'content-type': 'text/x-shellscript' }).end(INSTALLER);
  });
  const sha256 = createHash('sha256').update(INSTALLER).digest('hex');
  return new Promise((resolve) => server.listen(0, lab.bridgeAddr, () => {
    const { port } = server.address() as AddressInfo;
    resolve({ server, url: `http://${lab.bridgeAddr}:${port}/install.sh`, sha256, hits: () => count });
  }));
}

/** The coolify section for the stand-in, the password read from COOLIFY_ROOT_USER_PASSWORD. */
export const coolifySection = (installer: InstallerServer, enabled = true): string[] => [
  'coolify:',
  ...(enabled ? [] : ['  enabled: false']),
  `  installer_url: "${installer.url}"`,
  `  installer_sha256: "${installer.sha256}"`,
  '  min_disk_gb: 1',
  '  root_username: admin',
  '  root_user_email: admin@example.com',
  '  root_user_password: "${COOLIFY_ROOT_USER_PASSWORD}"',
];
