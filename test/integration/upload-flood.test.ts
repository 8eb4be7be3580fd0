// Issue 17, finding 7: a flood of large uploadCertificate answers leaves the install running and its history
// small: payloads over 512 KiB are refused at the frontend (limit.blobSize.error), PEMs over 64 KiB and more than
// 4 waiting uploads are refused by the workflow (noted on the question; an update is rejected, so not in history).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { startFleet } from '../../src/sim';
import { makeCertificate } from '../../src/client/certs';
import { startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { startInstallEnv, status, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

test('28 uploads of 1.9 MB and 20 of 100 KiB: the install keeps waiting, its history stays under 5 MB, a real upload still works', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'flood', seed: 61 });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    await waitForQuestion(handle, (x) => x.kind === 'certificate', 240_000);
    const pem = (label: string, bytes: number) => `-----BEGIN ${label}-----\n${'A'.repeat(bytes)}\n-----END ${label}-----\n`;
    const huge = { certificatePem: pem('CERTIFICATE', 1_900_000), privateKeyPem: pem('PRIVATE KEY', 10) };
    const big = { certificatePem: pem('CERTIFICATE', 100 * 1024), privateKeyPem: pem('PRIVATE KEY', 10) };
    const hugeSent = await Promise.allSettled(Array.from({ length: 28 }, () => handle.signal(api.uploadCertificateSignal, huge)));
    assert.equal(hugeSent.filter((r) => r.status === 'fulfilled').length, 0, 'the frontend refused every 1.9 MB signal');
    for (let i = 0; i < 20; i++) await handle.signal(api.uploadCertificateSignal, big);
    await assert.rejects(handle.executeUpdate(api.uploadCertificateUpdate, { args: [big] }), (err: Error & { cause?: Error }) => /at most 64 KiB/.test(err.cause?.message ?? ''));

    let s = await status(handle);
    for (let i = 0; i < 50 && !/at most 64 KiB/.test(s.questions.find((q) => q.kind === 'certificate')?.lastError ?? ''); i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await status(handle);
    }
    assert.equal(s.state, 'waiting');
    assert.match(s.questions.find((q) => q.kind === 'certificate')?.lastError ?? '', /upload rejected: .*at most 64 KiB/);
    const bytes = temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish().length;
    assert.ok(bytes < 5 * 1024 * 1024, `history is ${bytes} bytes`);
    console.log(`history after the flood: ${bytes} bytes`);

    assert.equal(await handle.executeUpdate(api.uploadCertificateUpdate, { args: [makeCertificate(fleet.spec.dnsHostname)] }), 'certificate accepted');
    await handle.terminate('test done');
  } finally {
    await fleet.stop();
  }
});
