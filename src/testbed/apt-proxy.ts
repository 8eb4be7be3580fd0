// apt-cacher-ng from Debian, on the host's end of the testbed network: the nodes reach Debian's archive
// only through it, and its cache (outside the repo) makes every later run's upgrades local.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { aptCacheDir } from './paths';

export const APT_PROXY_PORT = 3142;

/**
 * A configuration of our own: the package's debconf may have chosen a backend mirror (ftp.debian.org here)
 * this machine cannot reach; the nodes' sources name deb.debian.org, which is the one allowed package source.
 */
function writeConfig(confDir: string): void {
  mkdirSync(confDir, { recursive: true });
  writeFileSync(join(confDir, 'acng.conf'), [
    'SupportDir: /usr/lib/apt-cacher-ng',
    'Remap-debrep: file:deb_mirror*.gz /debian ; file:backends_debian',
    'Remap-secdeb: security.debian.org security.debian.org/debian-security deb.debian.org/debian-security /debian-security ; deb.debian.org/debian-security',
    '',
  ].join('\n'));
  writeFileSync(join(confDir, 'backends_debian'), 'http://deb.debian.org/debian/\n');
}

export function startAptProxy(address: string, dir: string): ChildProcess {
  const cache = aptCacheDir();
  mkdirSync(cache, { recursive: true });
  const logDir = join(dir, 'apt-cacher-ng');
  mkdirSync(logDir, { recursive: true });
  const confDir = join(dir, 'apt-cacher-ng-conf');
  writeConfig(confDir);
  const log = openSync(join(logDir, 'stdout.log'), 'a');
  return spawn('apt-cacher-ng', ['-c', confDir, 'ForeGround=1', `Port=${APT_PROXY_PORT}`, `BindAddress=${address}`,
    `CacheDir=${cache}`, `LogDir=${logDir}`, `PidFile=${join(logDir, 'pid')}`, `SocketPath=${join(logDir, 'socket')}`, 'ExThreshold=30'],
  { detached: true, stdio: ['ignore', log, log] });
}

/** Resolves once something accepts TCP on address:port, or rejects after timeoutMs. */
export async function waitForPort(address: string, port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: address, port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${address}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The apt setting the testbed writes on each node until the installer's own `proxy` setting lands. */
export const aptProxyConf = (address: string): string =>
  `// Written by the kloudspot testbed: Debian's archive only through the testbed's apt-cacher-ng.\nAcquire::http::Proxy "http://${address}:${APT_PROXY_PORT}";\n`;
