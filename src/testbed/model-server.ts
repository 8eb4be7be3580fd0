// The testbed's tools URL and the cluster model's door: an HTTP server on the host's end of the testbed
// network. A request's node is the address it comes from (each node has its own), never something it says.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { shellJoin } from '../activities/commands/sh';
import { StringInput } from '../sim/process';
import { runOnNode } from '../sim/runner';
import type { ModelWorld } from './model-world';
import { forwardScript, replyScript, toolsScript } from './shims';
import type { TestbedTls } from './tls';

const CLUSTERED_LOCK = '/var/snap/microk8s/current/var/lock/clustered.lock';
const VALUES_FILE = '/etc/kloudspot/values.yaml';

export interface ModelServer { url: string; toolsUrl: string; toolsSha256: string; server: Server; close(): Promise<void> }

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** `<base64 argv NUL-joined>\n<base64 values.yaml or empty>\n<stdin>` */
export function parseRunRequest(raw: Buffer): { argv: string[]; values?: string; stdin: string } {
  const nl1 = raw.indexOf(10);
  const nl2 = raw.indexOf(10, nl1 + 1);
  if (nl1 < 0 || nl2 < 0) throw new Error('malformed request: expected two header lines');
  const argv = Buffer.from(raw.subarray(0, nl1).toString(), 'base64').toString('utf8').split('\0');
  argv.pop();
  const values = raw.subarray(nl1 + 1, nl2).toString();
  return { argv, values: values ? Buffer.from(values, 'base64').toString('utf8') : undefined, stdin: raw.subarray(nl2 + 1).toString('utf8') };
}

async function runForNode(world: ModelWorld, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const from = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const node = world.machines.find((n) => n.address === from);
  if (!node) { res.writeHead(403).end(`no testbed node has address ${from}\n`); return; }
  const { argv, values, stdin } = parseRunRequest(await body(req));
  const root = req.headers['x-uid'] === '0';
  const hostname = String(req.headers['x-hostname'] ?? '');
  // The model reads the real node's hostname (kubelet registers under it) and values file (kloudspot start).
  if (hostname) node.hostname = hostname;
  const [enabled, active] = String(req.headers['x-iscsid'] ?? '').split(':');
  if (enabled) node.units.set('iscsid', { enabled: enabled === 'enabled' ? 'enabled' : 'disabled', active: active === 'active' });
  // LVs made on the real node (the shared volume) appear to the model's NDM as its dm devices do on a real one.
  for (const entry of String(req.headers['x-lvs'] ?? '').split(',').filter(Boolean)) {
    const [vg, name, size] = entry.split(':');
    if (vg === node.vg.name && name && /^\d+$/.test(size ?? '') && !node.lvs.some((lv) => lv.name === name)) node.createLv(name, Number(size));
  }
  if (values !== undefined) node.put(VALUES_FILE, values, 0o644);
  else node.files.delete(VALUES_FILE);
  let stdout = '';
  let stderr = '';
  const ac = new AbortController();
  req.on('close', () => { if (!res.writableEnded) ac.abort('KILL'); });
  const command = `${root ? 'sudo ' : ''}${shellJoin(argv)}`;
  world.files?.load(world.machines);
  const code = await runOnNode(world, node, command, { stdin: new StringInput(stdin), out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, signal: ac.signal }, 'ssh')
    .catch((err: unknown) => { stderr += `kloudspot testbed: the model failed: ${String(err)}\n`; return 255; });
  world.files?.save(world.machines);
  // Files the snap keeps on the node that the installer tests for directly.
  const files: Record<string, boolean> = root ? { [CLUSTERED_LOCK]: node.isWorker() } : {};
  res.writeHead(200, { 'content-type': 'text/x-shellscript' }).end(replyScript({ stdout, stderr, code, files }));
}

export async function startModelServer(world: ModelWorld, address: string, tls: TestbedTls, port = 0): Promise<ModelServer> {
  let base = '';
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/on-prem-cluster.sh') { res.writeHead(200).end(toolsScript(base)); return; }
    if (req.method === 'GET' && path === '/forward') { res.writeHead(200).end(forwardScript(base)); return; }
    if (req.method === 'POST' && path === '/run') {
      runForNode(world, req, res).catch((err: unknown) => { if (!res.headersSent) res.writeHead(400); res.end(`${String(err)}\n`); });
      return;
    }
    res.writeHead(404).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, address, resolve); });
  base = `https://${address}:${(server.address() as AddressInfo).port}`;
  return {
    url: base, toolsUrl: `${base}/on-prem-cluster.sh`, toolsSha256: createHash('sha256').update(toolsScript(base)).digest('hex'), server,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
