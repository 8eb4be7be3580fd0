// A node's host key read for the person to confirm before anything else happens there (issue 17, finding 3),
// as `ssh-keyscan` does: the key exchange only, refused in the host verifier before authentication, so the node
// receives neither a signature of our key nor a command. A node behind a bastion is reached through an
// authenticated tunnel of the pool instead (the node's own session still runs no command and is dropped).
import { Context } from '@temporalio/activity';
import { Client } from 'ssh2';
import { SshConnectError, describeConnectFailure } from './ssh-errors';
import { fingerprintOf } from './ssh-support';
import { toFailure, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

const SCAN_TIMEOUT_MS = 20_000;

/** The SHA256 fingerprint (as `ssh-keygen -lf` prints it) the server at the target's address offers. */
export function scanHostKey(target: Pick<SshTarget, 'node' | 'host' | 'port' | 'username'>, timeoutMs = SCAN_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey = '';
    let settled = false;
    const done = (err?: unknown) => {
      if (settled) return;
      settled = true;
      client.end();
      if (hostKey) resolve(hostKey);
      else reject(new SshConnectError(`cannot read the host key of node ${target.node} at ${target.host}:${target.port}: ${describeConnectFailure(err, timeoutMs)}`, { cause: err }));
    };
    // Refusing the key ends the handshake with "host denied": that error is the expected way out.
    client.on('error', done).on('close', () => done(new Error('connection closed before the key exchange')));
    client.on('ready', () => done()); // cannot happen with a refusing verifier; never leaves a session open
    client.connect({
      host: target.host, port: target.port, username: target.username, readyTimeout: timeoutMs,
      hostVerifier: (raw: Buffer) => { hostKey = fingerprintOf(raw); return false; },
    });
  });
}

export function createHostKeyScanActivities(deps: ActivityDeps) {
  return {
    /** The key a person is asked to confirm (workflows/host-keys.ts confirmHostKeys). */
    async readHostKey(target: SshTarget): Promise<string> {
      const t = { ...target, expectedHostKey: undefined };
      // A slow handshake (or a bastion's tunnel) may outlast the step's heartbeat timeout: beat while it runs.
      const beat = setInterval(() => { try { Context.current().heartbeat(); } catch { /* called outside an activity (tests) */ } }, 5000);
      try {
        if (!t.bastion) return await scanHostKey(t);
        const key = await deps.pool.hostKeyOf(t);
        deps.pool.drop(t);
        return key;
      } catch (err) {
        throw toFailure(t, err);
      } finally {
        clearInterval(beat);
      }
    },
  };
}
