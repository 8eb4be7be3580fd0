// Spec `chart` (DESIGN.md section 10): what the Kloudspot chart needs that the seed does not say. The chart's
// values keys are not public, so the installer's values file follows the seed's `kloudspot init` questions
// (README "The chart's values"); a site names its StorageClasses and adds values of its own here.
import { z } from 'zod';

export const DEFAULT_SHARED_STORAGE_CLASS = 'cstor-csi';
/** A StorageClass name (an object name; the stricter DNS label form, as kubectl would print it). */
const STORAGE_CLASS_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** `global.timezone`: 1 to 6 dot-separated keys of letters, digits, `_` and `-`. */
const VALUE_PATH = /^[A-Za-z][A-Za-z0-9_-]{0,62}(\.[A-Za-z][A-Za-z0-9_-]{0,62}){0,5}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The values the installer writes from other spec fields: `chart.values` may not set them (or a key above them). */
export const INSTALLER_VALUES = ['site', 'global.hostname', 'global.customerRef', 'global.loadBalancerIP', 'features', 'storage', 'ingress.tlsSecret'] as const;

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

const storageClassName = z.string().regex(STORAGE_CLASS_NAME, {
  error: 'is not a StorageClass name. Fix: lowercase letters, digits and -, at most 63, starting and ending with a letter or digit, e.g. cstor-csi',
});

const value = z.union([
  z.string().max(1024, { error: 'is longer than 1024 characters. Fix: shorten it' })
    .refine((s) => !CONTROL.test(s), { error: 'has a control character (newline, tab...). Fix: write the value on one line' }),
  z.number().finite(),
  z.boolean(),
], { error: 'is not a string, number or boolean. Fix: write one value per dotted key, e.g. global.timezone: Europe/London' });

export const ChartSchema = z.strictObject({
  storageClasses: z.strictObject({
    /** The cStor class the installer creates on the `shared` volumes; the values file names it. */
    shared: storageClassName.default(DEFAULT_SHARED_STORAGE_CLASS),
    /** A class for the unshared volumes, if the site has one (the installer creates none): the values file names it. */
    unshared: storageClassName.optional(),
  }).default({ shared: DEFAULT_SHARED_STORAGE_CLASS }),
  /** Extra values by dotted key (`global.timezone: Europe/London`), merged into the values file. */
  values: z.record(z.string(), value).default({}),
}).superRefine((chart, ctx) => {
  const keys = Object.keys(chart.values);
  for (const k of keys) {
    if (!VALUE_PATH.test(k)) {
      ctx.addIssue({ code: 'custom', path: ['values', k], message: 'is not a dotted values key. Fix: write keys of letters, digits, _ and - joined by dots, e.g. global.timezone' });
      continue;
    }
    const mine = INSTALLER_VALUES.find((r) => overlaps(k, r));
    if (mine) {
      ctx.addIssue({ code: 'custom', path: ['values', k],
        message: `would replace ${mine}, which the installer writes from the spec. Fix: set it through its spec field (dnsHostname, customer, virtualIp, features, storage, chart.storageClasses, tls) instead` });
    }
    const other = keys.find((o) => o !== k && overlaps(k, o));
    if (other && k < other) ctx.addIssue({ code: 'custom', path: ['values', k], message: `overlaps ${other}. Fix: set either the key or keys under it, not both` });
  }
}).default({ storageClasses: { shared: DEFAULT_SHARED_STORAGE_CLASS }, values: {} });

export type ChartSpec = z.output<typeof ChartSchema>;
