// Helpers for the real-node tier: SSH to testbed nodes, the answers a person gives during an install on
// them, and a snapshot of what the install writes (to prove a second run changes nothing).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import { Client as SshClient } from 'ssh2';
import type { WorkflowHandle } from '@temporalio/client';
import * as api from '../../src/workflows/api';
import { makeCertificate } from '../../src/client/certs';
import { execRaw, type Run } from './sim';
import { leaderPid, type NodeHandle } from '../../src/testbed/node';
import { status } from './install';

export interface NodeShell { run(command: string, stdin?: string): Promise<Run>; close(): void }

/** A jump host to reach a node through (the testbed's bastion), logged into with the same key. */
export interface Via { host: string; user: string }

/** A direct-tcpip channel to address:22 on a fresh connection to the bastion. */
async function tunnel(via: Via, address: string, keyFile: string): Promise<{ sock: Duplex; close(): void }> {
  const c = new SshClient();
  c.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    c.once('ready', () => resolve());
    c.once('error', reject);
    c.connect({ host: via.host, port: 22, username: via.user, privateKey: readFileSync(keyFile), readyTimeout: 20_000 });
  });
  const sock = await new Promise<Duplex>((resolve, reject) => c.forwardOut('127.0.0.1', 0, address, 22, (err, ch) => (err ? reject(err) : resolve(ch))));
  return { sock, close: () => c.end() };
}

export async function sshTo(address: string, user: string, keyFile: string, via?: Via): Promise<NodeShell> {
  const jump = via ? await tunnel(via, address, keyFile) : undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({ host: address, port: 22, username: user, privateKeyPath: keyFile, readyTimeout: 20_000, sock: jump?.sock });
  } catch (err) {
    jump?.close();
    throw err;
  }
  ssh.connection?.on('error', () => undefined);
  return { run: (c, stdin) => execRaw(ssh.connection!, c, stdin), close: () => { ssh.dispose(); jump?.close(); } };
}

/**
 * Runs one command on a node over a fresh connection (nodes reboot between uses) and demands exit 0. A D-Bus
 * activation that timed out (hostnamectl starting systemd-hostnamed on a loaded machine) is tried again, twice.
 */
export async function onNode(address: string, user: string, keyFile: string, command: string, o: { via?: Via; stdin?: string } = {}): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const s = await sshTo(address, user, keyFile, o.via);
    try {
      const r = await s.run(command, o.stdin);
      if (r.code === 0) return r.stdout;
      if (attempt < 3 && /Failed to activate service .*timed out/.test(r.stderr)) continue;
      throw new Error(`${address}: ${command} exited ${r.code}: ${r.stderr}`);
    } finally {
      s.close();
    }
  }
}

/** The command lines of the processes running in a node (its PID namespace), read from the host's /proc. */
export function nodeProcesses(node: NodeHandle): string[] {
  const leader = leaderPid(node);
  if (!leader) return [];
  const ns = (pid: string | number) => { try { return readlinkSync(`/proc/${pid}/ns/pid`); } catch { return undefined; } };
  const want = ns(leader);
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (!want || ns(pid) !== want) continue;
    try { found.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()); } catch { /* gone */ }
  }
  return found;
}

/**
 * Answers as the e2e test's person does: preflight `skip` (it refuses Debian and this machine's size, rightly),
 * the first offered block device, a certificate for the spec's host name. Any other failure question fails the
 * test with its details: on real nodes that is a defect to fix, not to skip.
 */
export async function answerUntilDone(handle: WorkflowHandle, dnsHostname: string, timeoutMs: number, seen: string[] = []): Promise<api.InstallStatus> {
  const deadline = Date.now() + timeoutMs;
  const answered = new Set<string>();
  const result = handle.result() as Promise<api.InstallStatus>;
  let finished: api.InstallStatus | undefined;
  void result.then((r) => { finished = r; }, () => undefined);
  while (!finished) {
    if (Date.now() > deadline) throw new Error(`install not finished in ${timeoutMs / 1000} s: ${JSON.stringify(await status(handle).catch(String)).slice(0, 3000)}`);
    const s = await status(handle).catch(() => undefined);
    for (const q of s?.questions ?? []) {
      if (answered.has(q.id)) continue;
      answered.add(q.id);
      seen.push(`${q.kind}:${q.step ?? q.node ?? ''}`);
      if (q.kind === 'failure' && q.step === 'cluster:preflight') await handle.signal(api.resolveFailureSignal, { step: q.step, action: 'skip' });
      else if (q.kind === 'blockDevice') await handle.signal(api.chooseBlockDeviceSignal, { node: q.node!, blockDevice: q.options![0] });
      else if (q.kind === 'certificate') await handle.signal(api.uploadCertificateSignal, makeCertificate(dnsHostname));
      else throw new Error(`unexpected question on real nodes: ${q.prompt}\n${q.lastError ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return result;
}

/** Where the install writes; every regular file's path, mtime and checksum. */
export const WRITTEN_PLACES = ['/etc', '/usr/local', '/snap', '/var/snap', '/home'];
export const snapshotCommand = (): string =>
  `sudo find ${WRITTEN_PLACES.join(' ')} -xdev -type f -printf '%T@ %p\\n' 2>/dev/null | sort -k2 && ` +
  `sudo find ${WRITTEN_PLACES.join(' ')} -xdev -type f -exec md5sum {} + 2>/dev/null | sort -k2`;
