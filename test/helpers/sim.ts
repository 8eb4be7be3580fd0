// Test helpers for the simulated fleet: an SSH client per node (node-ssh, as the installer uses) and
// small conveniences to run a command and get code, stdout and stderr.
import { after, before } from 'node:test';
import { NodeSSH } from 'node-ssh';
import type { Client } from 'ssh2';
import { startFleet, type Fleet, type FleetOptions } from '../../src/sim';
import { SshPool, type SshTarget } from '../../src/activities/ssh';

export interface Run { code: number | null; signal?: string | null; stdout: string; stderr: string }

export interface SimClient {
  ssh: NodeSSH;
  run(command: string, stdin?: string): Promise<Run>;
  close(): void;
}

export async function connect(fleet: Fleet, name: string, opts: { readyTimeout?: number } = {}): Promise<SimClient> {
  const n = fleet.node(name);
  const ssh = new NodeSSH();
  await ssh.connect({
    host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyPath: fleet.keyFile,
    readyTimeout: opts.readyTimeout ?? 5000,
  });
  ssh.connection?.on('error', () => undefined);
  return {
    ssh,
    run: (command, stdin) => execRaw(ssh.connection!, command, stdin),
    close: () => ssh.dispose(),
  };
}

/** A fleet and an SSH pool shared by a file's tests: started before its first test, stopped after its last. */
export function simFleet(options: FleetOptions): { readonly fleet: Fleet; readonly pool: SshPool } {
  const sim = {} as { fleet: Fleet; pool: SshPool };
  before(async () => {
    sim.fleet = await startFleet(options);
    sim.pool = new SshPool();
  });
  after(async () => {
    await sim.pool?.closeAll();
    await sim.fleet?.stop();
  });
  return sim;
}

/** One client per node, by name. */
export async function connectAll(fleet: Fleet): Promise<Record<string, SimClient>> {
  const out: Record<string, SimClient> = {};
  for (const n of fleet.nodes) out[n.name] = await connect(fleet, n.name);
  return out;
}

export function closeAll(clients: Record<string, SimClient>): void {
  for (const c of Object.values(clients)) c.close();
}

/** Polls `fn` until it returns a truthy value or the time is up. */
export async function eventually<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs a command on an ssh2 connection and keeps its output exactly (node-ssh's execCommand trims it). */
export function execRaw(client: Client, command: string, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, ch) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      let signal: string | null = null;
      ch.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
      ch.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
      ch.on('exit', (c: number | null, s?: string) => { code = c; signal = s ?? null; });
      ch.on('close', () => resolve({ code, signal, stdout, stderr }));
      if (stdin !== undefined) ch.end(stdin);
      else ch.end();
    });
  });
}

/** The installer's SSH target for a simulated node, as the workflows build it from the spec. */
export function simTarget(fleet: Fleet, name: string): SshTarget {
  const n = fleet.node(name);
  return { node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile };
}
