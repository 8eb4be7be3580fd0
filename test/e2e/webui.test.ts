// The Web UI path in a real browser: the dev server's own Web UI (2.42) shows the pending block-device
// question in the workflow's "Current Details", and a person answers it through the UI's "Send a Signal"
// form with JSON input. The UI encodes that input through our codec server, so what lands in the history is
// encrypted like everything else; the worker decodes it and the install goes on to the end.
//
// Chromium is Debian's (/usr/bin/chromium, `.ci/run` installs it) driven by playwright-core; nothing is
// downloaded. The screenshot for the README is written to docs/webui-pending-question.png when it does not
// exist yet or when KLOUDSPOT_UPDATE_SCREENSHOTS=1; otherwise to a temporary directory, so a test run leaves
// the work tree clean.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { readCodecKeyFile, ENCRYPTED_ENCODING } from '../../src/codec/codec';
import { startCodecServer, type CodecServer } from '../../src/codec/server';
import { freePort } from '../../src/temporal/dev-server';
import type { InstallStatus } from '../../src/workflows/api';
import { TEST_CODEC_KEY_FILE, startInstallEnv, status, waitForQuestion, type InstallEnv } from '../helpers/install';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '..', '..', 'docs', 'webui-pending-question.png');
const artifacts = mkdtempSync(join(tmpdir(), 'ks-webui-'));

let env: InstallEnv | undefined;
let codec: CodecServer | undefined;
const codecLog: string[] = [];

before(async () => {
  const uiPort = await freePort();
  codec = await startCodecServer({
    port: 0, keys: readCodecKeyFile(TEST_CODEC_KEY_FILE), requireToken: false,
    allowedOrigin: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
    log: (line) => codecLog.push(line),
  });
  env = await startInstallEnv({ uiPort, codecEndpoint: codec.url });
});
after(async () => {
  await env?.stop();
  await codec?.close();
});

/** Polls every frame of the page until one (the UI renders markdown in an iframe) shows all of `texts`. */
async function frameShowing(page: Page, texts: string[], timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const body = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
      if (texts.every((t) => body.includes(t))) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no frame showed ${JSON.stringify(texts)} within ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('Web UI: the pending question shows in Current Details and is answered with the Send a Signal form', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  const fleet: Fleet = await startFleet({ nodes: 3, site: 'webui', seed: 21, severalBlockDevices: [1], specOverrides: { tls: { mode: 'self-signed' } } });
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    const handle = await startInstall(env!.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.kind === 'blockDevice');
    assert.equal(q.node, fleet.spec.nodes[1].name);
    assert.equal(q.options?.length, 2);
    const chosen = q.options![1]; // not the one the details suggest, so the answer is really ours

    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 720 } });
    page.setDefaultTimeout(30_000);
    const url = `${env!.h.server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`;
    await page.goto(url);
    await page.getByTestId('workflow-id-heading').filter({ hasText: handle.workflowId }).waitFor();

    // Current Details (User Metadata tab): the markdown the workflow set with setCurrentDetails, rendered in an iframe.
    await page.getByTestId('user-metadata-tab').click();
    await page.getByRole('heading', { name: 'Current Details' }).waitFor();
    const details = await frameShowing(page, ['Waiting for you', `blockDevice on ${q.node}`, 'chooseBlockDevice', q.options![0]], 30_000);
    assert.match(await details.locator('body').innerText(), /Answer with Send a Signal/);
    await page.screenshot({ path: existsSync(SCREENSHOT) && process.env.KLOUDSPOT_UPDATE_SCREENSHOTS !== '1' ? join(artifacts, 'pending-question.png') : SCREENSHOT, fullPage: true });

    // More Actions -> Send a Signal: the modal offers the names from __temporal_workflow_metadata.
    await page.getByRole('button', { name: 'More Actions' }).click();
    await page.getByTestId('signal-button').filter({ visible: true }).first().click();
    const modal = page.locator('[data-testid="signal-confirmation-modal"][open]');
    await modal.waitFor();
    await modal.getByTestId('signal-select-button').click();
    const option = modal.getByRole('option').filter({ hasText: 'chooseBlockDevice' });
    await option.waitFor();
    assert.match(await option.innerText(), /Answer a block device question/, 'the handler\'s description is offered with the name');
    await option.click();
    assert.equal(await modal.getByTestId('signal-select').inputValue(), 'chooseBlockDevice');

    // The input is a CodeMirror JSON editor; insertText types it without auto-closed brackets.
    const answer = { node: q.node, blockDevice: chosen };
    const editor = modal.locator('[contenteditable="true"][role="textbox"][data-language="json"]');
    await editor.click();
    await page.keyboard.insertText(JSON.stringify(answer));
    assert.deepEqual(JSON.parse(await editor.innerText()), answer);
    await page.screenshot({ path: join(artifacts, 'signal-form.png') });
    const submit = modal.getByTestId('confirm-modal-button');
    assert.ok(await submit.isEnabled(), 'Submit is enabled once a name and valid JSON are given');
    await submit.click();
    await page.locator('[data-testid="signal-confirmation-modal"][open]').waitFor({ state: 'detached' });

    // The install moves on: the question is gone and the chosen device is the one used.
    await waitFor('the block-device question leaves status', async () => {
      const s = await status(handle);
      return s.questions.some((x) => x.kind === 'blockDevice') ? undefined : s;
    }, 60_000);
    const final = await handle.result() as InstallStatus;
    assert.equal(final.state, 'completed');
    assert.equal(final.phase, 'done');
    const bd = fleet.clusterOf(q.node!)?.store.get('BlockDevice', 'openebs', chosen);
    assert.equal((bd?.status as { claimState?: string } | undefined)?.claimState, 'Claimed', `${chosen} (the UI's answer) holds the pool on ${q.node}`);

    // What the UI sent went through the codec's /encode: the history holds it encrypted.
    assert.ok(codecLog.some((l) => l.includes('POST /encode 200')), `the UI encoded the input: ${codecLog.filter((l) => !l.includes('/decode 200')).join('; ')}`);
    const history = await handle.fetchHistory();
    const signalled = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'chooseBlockDevice');
    assert.equal(signalled.length, 1, 'one chooseBlockDevice signal, from the UI');
    const payload = signalled[0].workflowExecutionSignaledEventAttributes!.input!.payloads![0];
    assert.equal(Buffer.from(payload.metadata!.encoding!).toString(), ENCRYPTED_ENCODING);
    assert.ok(!Buffer.from(payload.data!).toString('latin1').includes(chosen), 'the answer is not in the history in the clear');

    // And the UI itself shows the run as completed.
    await page.goto(url);
    await page.getByTestId('workflow-id-heading').filter({ hasText: handle.workflowId }).waitFor();
    await page.getByText('Completed', { exact: true }).first().waitFor();
  } catch (err) {
    if (page) {
      await page.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true }).catch(() => undefined);
      writeFileSync(join(artifacts, 'failure.html'), await page.content().catch(() => ''));
    }
    (err as Error).message += `\n(browser artifacts in ${artifacts}; codec server log: ${codecLog.slice(-5).join('; ')})`;
    throw err;
  } finally {
    await browser?.close();
    await fleet.stop();
  }
});
