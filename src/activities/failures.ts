// The failure taxonomy: every failure type an activity or workflow raises, which of them retrying cannot
// fix, and the details a person reads. Pure (only @temporalio/common), so workflows import it too: the one
// module of src/activities that they import for more than types.
import { ApplicationFailure } from '@temporalio/common';

export const FailureType = {
  /** A command exited with a code its step does not accept. */
  CommandFailed: 'CommandFailed',
  /** A command ran past its own timeout (hung mount, dbus, API server). */
  CommandTimeout: 'CommandTimeout',
  /** The node could not be reached or logged into (it may be rebooting). */
  SshUnavailable: 'SshUnavailable',
  /** The node presented another host key than the pinned one: never retried, nothing runs on it. */
  HostKeyMismatch: 'HostKeyMismatch',
  /** A person rejected the host key a node offered at first contact: nothing but the key exchange happened there. */
  HostKeyRejected: 'HostKeyRejected',
  /** The worker cannot read its own SSH key file. */
  SshKeyFile: 'SshKeyFile',
  /** sudo refuses the password of ssh.sudoPasswordFile, or the worker cannot read that file: never retried. */
  SudoPassword: 'SudoPassword',
  /** A wait bounded by a site timeout ran out; it says what it saw last. */
  WaitTimedOut: 'WaitTimedOut',
  /** A command said it worked but the effect is not there. */
  VerifyFailed: 'VerifyFailed',
  /** The chart's release exists but is not `deployed`. */
  ReleaseNotDeployed: 'ReleaseNotDeployed',
  /** An update or uninstall of a site that has no release. */
  ReleaseMissing: 'ReleaseMissing',
  /** A person answered `abort`: the install ends, the nodes stay as they are. */
  InstallAborted: 'InstallAborted',
  /** A read-only activity (plan, doctor) was about to run a command that may change a node: refused. */
  NotReadOnly: 'NotReadOnly',
  /** An uploaded certificate does not fit the key or the host name. */
  CertificateRejected: 'CertificateRejected',
  /** A workflow's input (or a signal's) was not encrypted with the installer's codec key: refused, never acted on. */
  PlaintextRefused: 'PlaintextRefused',
  /** A workflow's input does not pass the site spec schema (a start from outside the CLI): nothing runs. */
  InvalidInput: 'InvalidInput',
  /** A downloaded script's SHA-256 is not the pinned one: it is not run. */
  ChecksumMismatch: 'ChecksumMismatch',
  /** reset was started while an install, update, add-node or refresh-certs of the site runs: nothing was done. */
  SiteBusy: 'SiteBusy',
  /** An interactive tool (`kloudspot init`) asked what the installer does not answer, or never asked the next question. */
  PromptUnanswered: 'PromptUnanswered',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Retrying cannot change these: a person must act, so the step's question comes at once. */
export const NON_RETRYABLE: FailureType[] = [
  FailureType.HostKeyMismatch, FailureType.WaitTimedOut, FailureType.ReleaseNotDeployed, FailureType.ReleaseMissing, FailureType.VerifyFailed,
  FailureType.NotReadOnly, FailureType.PlaintextRefused, FailureType.InvalidInput, FailureType.ChecksumMismatch, FailureType.SiteBusy,
];

/** What a failed command leaves for the person who has to decide: kept small, secrets already redacted. */
export interface CommandFailureDetails {
  node: string;
  step: string;
  command: string;
  exitCode: number | null;
  stderrTail: string;
}

export function failure(type: FailureType, message: string, o: { nonRetryable?: boolean; details?: CommandFailureDetails } = {}): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: o.nonRetryable, details: o.details ? [o.details] : undefined });
}

export const verifyFailed = (message: string): ApplicationFailure => failure(FailureType.VerifyFailed, message);
export const waitTimedOut = (message: string): ApplicationFailure => failure(FailureType.WaitTimedOut, message, { nonRetryable: true });
export const installAborted = (message: string): ApplicationFailure => failure(FailureType.InstallAborted, message, { nonRetryable: true });

/** The failure a person reads: the message, and the command, exit code and stderr tail when a command failed. */
export function describeFailure(err: unknown): { message: string; lastError: string } {
  let cause = err;
  // Activity and child-workflow failures wrap the one that says what happened.
  while (cause instanceof Error && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
  const message = (cause as Error)?.message ?? String(err);
  const d = (cause instanceof ApplicationFailure ? cause.details?.[0] : undefined) as Partial<CommandFailureDetails> | undefined;
  const lines = [message];
  if (d?.command) lines.push(`command: ${d.command}`);
  if (d?.exitCode !== undefined && d.exitCode !== null) lines.push(`exit code: ${d.exitCode}`);
  if (d?.stderrTail) lines.push(`stderr (tail):\n${d.stderrTail}`);
  return { message, lastError: lines.join('\n') };
}
