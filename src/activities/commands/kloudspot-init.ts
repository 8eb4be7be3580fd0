// `kloudspot init` (the seed's "Prepare Kloudspot Configuration"): its prompts, in the order of the seed's
// transcript (/work/shared/seed/multi-node-cluster.txt), each matched by a strict pattern and answered from the
// spec and the block devices the cStor pool was made of. Pure: the PTY is driven by ../kloudspot-init.ts.
// The prompts after the first two are github.com/AlecAivazis/survey's (the seed's `[? for help] (y/N)`): an
// Input renders `? <Message> ` or `? <Message> (<default>) `, a Confirm `? <Message> (y/N) `.
import * as yaml from 'js-yaml';
import { cmd, sh, SUDO, type RemoteCommand } from './sh';

/** `sudo` keeps the terminal: the tool's survey prompts need one (ssh2 exec with a PTY). */
export const kloudspotInit = (): RemoteCommand => cmd(sh`${SUDO} kloudspot init`);
/** The seed: `'/etc/kloudspot/values.yaml' created sucessfully.` */
export const INIT_VALUES_FILE = '/etc/kloudspot/values.yaml';

type Volume = 'elasticsearch' | 'streamState' | 'insightsDatabase' | 'kafka' | 'zookeeper';
type Feature = 'kloudManage' | 'kloudInsights' | 'kloudHybrid';

/** What the answers come from: the spec's fields (the workflow) and the pool's block devices (read on the node). */
export interface KloudspotInitInput {
  dnsHostname: string;
  customer: string;
  features: Record<Feature, boolean>;
  storage: Record<Volume, number>;
}
export interface InitAnswers extends KloudspotInitInput {
  /** Node name -> the block device its cStor pool uses (the seed's "which blockdevice" questions). */
  blockDevices: Record<string, string>;
}

/** The seed's volume questions, by the spec's storage field. */
export const VOLUME_PROMPTS: Record<Volume, string> = {
  elasticsearch: 'Stream processing elasticsearch (GB)',
  streamState: 'Stream processing state storage (GB)',
  insightsDatabase: 'Kloudinsights database (GB)',
  kafka: 'Kafka distributed messaging (GB)',
  zookeeper: 'Zookeeper coordinator (GB)',
};
/** The seed's feature questions (its spelling: `Kloudhybrid`). */
export const FEATURE_PROMPTS: Record<Feature, string> = { kloudManage: 'KloudManage', kloudInsights: 'KloudInsights', kloudHybrid: 'Kloudhybrid' };

export type Reply =
  | { kind: 'answer'; id: string; text: string; secret: boolean }
  | { kind: 'refuse'; id: string; reason: string }
  /** A progress line of the seed's transcript that may stay unfinished for minutes: wait, it is no prompt. */
  | { kind: 'wait' }
  | { kind: 'unknown' };

/** The seed's progress lines (OpenEBS install, the CSPI wait), in case the tool prints one without its line break. */
const PROGRESS = /^(?:installing OpenEBS\.\.\.|Successfully installed OpenEBS\.|All Pods are UP now\.\.\.|Waiting for all CSPI UP\.\.\.|CSPI up now!)$/;

interface PromptRule { id: string; pattern: RegExp; reply: (m: RegExpExecArray, a: InitAnswers) => Reply }

const answer = (id: string, text: string, secret = false): Reply => ({ kind: 'answer', id, text, secret });
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** survey's Input: `? Message` with an optional `(default)`; and its help hint. */
const input = (message: string) => new RegExp(`^\\? ${esc(message)}(?: \\[\\? for help\\])?(?: \\([^()]{0,200}\\))?$`);
const byMessage = <K extends string>(table: Record<K, string>, message: string): K | undefined =>
  (Object.keys(table) as K[]).find((k) => table[k] === message);

const RULES: PromptRule[] = [
  {
    id: 'blockdevice',
    pattern: /^which blockdevice do you want to use for node ([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?) ?\?$/,
    reply: (m, a) => {
      const bd = Object.hasOwn(a.blockDevices, m[1]) ? a.blockDevices[m[1]] : undefined;
      return bd ? answer(`blockdevice ${m[1]}`, bd)
        : { kind: 'refuse', id: `blockdevice ${m[1]}`, reason: `the cStor pool has no block device for node ${m[1]} (pool nodes: ${Object.keys(a.blockDevices).join(', ') || 'none'})` };
    },
  },
  // The key would have to rest in a file on the node: the installer's tls-secret step applies the pair from stdin instead.
  { id: 'ssl', pattern: /^Do you want to add ssl certificate\? y\/n$/, reply: () => answer('ssl', 'n') },
  {
    id: 'ssl-files', pattern: /^\? Enter ssl (?:key|ssl cert) filepath:$/,
    reply: () => ({ kind: 'refuse', id: 'ssl-files', reason: 'it asks for a certificate file after the installer answered n (the TLS secret is applied by the tls-secret step)' }),
  },
  { id: 'dnsHostname', pattern: input('DNS Hostname'), reply: (_m, a) => answer('dnsHostname', a.dnsHostname) },
  { id: 'customer', pattern: input('Customer Reference'), reply: (_m, a) => answer('customer', a.customer) },
  {
    id: 'feature', pattern: /^\? Enable (KloudManage|KloudInsights|Kloudhybrid)(?: \[\? for help\])?(?: \((?:y\/N|Y\/n)\))?$/,
    reply: (m, a) => {
      const f = byMessage(FEATURE_PROMPTS, m[1])!;
      return answer(`features.${f}`, a.features[f] ? 'y' : 'n');
    },
  },
  {
    id: 'volume', pattern: new RegExp(`^\\? (${Object.values(VOLUME_PROMPTS).map(esc).join('|')})(?: \\[\\? for help\\])?(?: \\(\\d{1,6}\\))?$`),
    reply: (m, a) => {
      const v = byMessage(VOLUME_PROMPTS, m[1])!;
      return answer(`storage.${v}`, String(a.storage[v]));
    },
  },
];

/** The reply to one prompt (already sanitised by promptLine): an answer, a refusal with its reason, wait, or unknown. */
export function replyTo(prompt: string, a: InitAnswers): Reply {
  if (PROGRESS.test(prompt)) return { kind: 'wait' };
  for (const rule of RULES) {
    const m = rule.pattern.exec(prompt);
    if (m) return rule.reply(m, a);
  }
  return { kind: 'unknown' };
}

// Terminal escapes (CSI with its parameters, OSC up to BEL or ST, two-character ESC sequences), then the rest of
// the controls: the PTY's output is the node's, and a prompt ends up in an error message a person reads.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?|\u009b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
export const PROMPT_SHOWN_MAX = 200;

/**
 * The line the tool is waiting on: the text after the last line break, after the last carriage return (a
 * redraw), escapes and controls removed, spaces trimmed. Empty: it is not waiting on a prompt.
 */
export function promptLine(output: string): string {
  const line = output.replace(ESCAPES, '').split('\n').pop()!.split('\r').pop()!;
  return line.replace(CONTROLS, '').trim();
}

/** A prompt as shown in an error: sanitised, bounded, quoted. */
export function shownPrompt(prompt: string): string {
  const clean = promptLine(prompt);
  return JSON.stringify(clean.length > PROMPT_SHOWN_MAX ? `${clean.slice(0, PROMPT_SHOWN_MAX)}...` : clean);
}

/** Values the read-back compares: the keys of the values file the simulator writes (see docs/commands.md). */
export interface InitValues {
  hostname?: unknown;
  customerRef?: unknown;
  features: Partial<Record<Feature, unknown>>;
  volumes: Partial<Record<Volume, unknown>>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});

/** The values file `kloudspot init` wrote (node output: parsed with the JSON schema, no custom tags). */
export function parseInitValues(text: string): InitValues {
  const doc = obj(yaml.load(text, { schema: yaml.JSON_SCHEMA }));
  const g = obj(doc.global);
  const storage = obj(doc.storage);
  return { hostname: g.hostname, customerRef: g.customerRef, features: obj(doc.features), volumes: obj(storage.volumes) };
}

const shown = (v: unknown) => JSON.stringify(typeof v === 'string' ? promptLine(v).slice(0, 80) : v ?? null);

/**
 * How the file differs from the spec (empty: it carries the spec's values). Volumes the tool did not ask
 * for (their feature is off) are absent; a volume present must carry the spec's size.
 */
export function initValuesMismatches(v: InitValues, spec: KloudspotInitInput): string[] {
  const out: string[] = [];
  const check = (key: string, got: unknown, want: unknown) => { if (got !== want) out.push(`${key} is ${shown(got)}, the spec says ${JSON.stringify(want)}`); };
  check('global.hostname', v.hostname, spec.dnsHostname);
  check('global.customerRef', v.customerRef, spec.customer);
  for (const f of Object.keys(FEATURE_PROMPTS) as Feature[]) check(`features.${f}`, v.features[f], spec.features[f]);
  for (const k of Object.keys(VOLUME_PROMPTS) as Volume[]) if (v.volumes[k] !== undefined) check(`storage.volumes.${k}`, v.volumes[k], `${spec.storage[k]}Gi`);
  if (v.volumes.elasticsearch === undefined) out.push('storage.volumes.elasticsearch is missing');
  return out;
}
