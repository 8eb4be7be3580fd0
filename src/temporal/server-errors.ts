// What the Temporal server said, for people: the SDK wraps a refused call as e.g. ServiceError("Failed to
// start Workflow") with the gRPC error as its cause; the reason (status code and message) is in that cause.

const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;
export type GrpcStatusName = (typeof STATUS_NAMES)[number];

export interface ServerRefusal {
  code: number;
  /** e.g. PERMISSION_DENIED */
  status: GrpcStatusName | `code ${number}`;
  /** The server's own message. */
  message: string;
}

function isGrpcError(e: unknown): e is { code: number; details?: string; message?: string } {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number'
    && ('details' in e || 'metadata' in e);
}

/** The gRPC error in `err` or its chain of causes, if any. */
export function serverRefusal(err: unknown): ServerRefusal | undefined {
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (!isGrpcError(e)) continue;
    const status = STATUS_NAMES[e.code] ?? (`code ${e.code}` as const);
    // grpc-js puts "<code> <NAME>: <details>" in message and the bare text in details.
    const message = (e.details || e.message || '').replace(/^\d+ [A-Z_]+: /, '').trim();
    return { code: e.code, status, message };
  }
  return undefined;
}

/** The wrapper's words ("Failed to start Workflow") followed by the server's reason. */
export function describeServerError(err: unknown): string | undefined {
  const r = serverRefusal(err);
  if (!r) return undefined;
  const outer = (err as Error)?.message && (err as Error).message !== r.message ? (err as Error).message.replace(/[.:]\s*$/, '') : undefined;
  const reason = `the Temporal server refused it with ${r.status}: ${r.message || '(no message)'}`;
  const text = outer ? `${outer}: ${reason}` : `The Temporal server refused the call with ${r.status}: ${r.message || '(no message)'}`;
  return `${text}.${hintFor(r)}`;
}

function hintFor(r: ServerRefusal): string {
  if (r.status === 'INVALID_ARGUMENT' && /search attribute/i.test(r.message)) {
    return ' The namespace lacks the installer\'s search attributes: run `kloudspot-installer setup` (same --address/--namespace) once.';
  }
  if (r.status === 'NOT_FOUND' && /namespace/i.test(r.message)) {
    return ' Check --namespace / TEMPORAL_NAMESPACE, or create it with `kloudspot-installer setup --namespace <name>`.';
  }
  if (r.status === 'PERMISSION_DENIED' || r.status === 'UNAUTHENTICATED') {
    return ' Check the credentials (TEMPORAL_API_KEY[_FILE], --tls-cert/--tls-key) and the role they carry on this namespace.';
  }
  return '';
}
