// The image's HEALTHCHECK: asks the worker's own /healthz (KLOUDSPOT_HEALTH_ADDRESS), exit 0 if live.
// A separate tiny process, so it needs neither curl in the image nor anything of the worker loaded.
//   node dist/src/worker/healthcheck.js [/healthz|/readyz]
import { ENV, parseHostPort } from './config';

export async function probe(address: string, path = '/healthz', timeoutMs = 3000): Promise<{ ok: boolean; body: string }> {
  const { host, port } = parseHostPort(address, ENV.healthAddress);
  const target = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  const r = await fetch(`http://${target}:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  return { ok: r.ok, body: await r.text() };
}

if (require.main === module) {
  const address = process.env[ENV.healthAddress];
  if (!address) {
    process.stderr.write(`${ENV.healthAddress} is not set, so the worker serves no health endpoint\n`);
    process.exit(1);
  }
  probe(address, process.argv[2] ?? '/healthz').then(
    ({ ok, body }) => { process.stdout.write(body + '\n'); process.exit(ok ? 0 : 1); },
    (err) => { process.stderr.write(`health check failed: ${(err as Error).message}\n`); process.exit(1); },
  );
}
