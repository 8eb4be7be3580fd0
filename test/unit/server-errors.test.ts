// How a refusal of the Temporal server reaches people: its status code name and message, the SDK's own words
// kept in front, and a hint for the refusals that have a known fix. The live refusals (a real server without
// the search attributes) are in test/integration/setup.test.ts; here, the shapes gRPC errors come in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError } from '@temporalio/client';
import { PermissionMissingError, call } from '../../src/temporal/namespace-check';
import { formatDays, parseRetention } from '../../src/temporal/namespace-setup';
import { describeServerError, serverRefusal } from '../../src/temporal/server-errors';

/** What @grpc/grpc-js rejects with: an Error with code, details and metadata. */
function grpcError(code: number, name: string, details: string): Error {
  return Object.assign(new Error(`${code} ${name}: ${details}`), { code, details, metadata: {} });
}

test('the status code name and message come out of the SDK wrapper', () => {
  const err = new ServiceError('Failed to start Workflow', { cause: grpcError(3, 'INVALID_ARGUMENT', 'Namespace default has no mapping defined for search attribute KloudspotSite.') });
  assert.deepEqual(serverRefusal(err), { code: 3, status: 'INVALID_ARGUMENT', message: 'Namespace default has no mapping defined for search attribute KloudspotSite.' });
  const said = describeServerError(err)!;
  assert.match(said, /^Failed to start Workflow: the Temporal server refused it with INVALID_ARGUMENT: Namespace default has no mapping defined for search attribute KloudspotSite\./);
  assert.match(said, /run `kloudspot-installer setup`/);
});

test('a refusal without a known fix keeps its code and message, and a plain error is not taken for one', () => {
  assert.match(describeServerError(new ServiceError('Failed to query Workflow', { cause: grpcError(8, 'RESOURCE_EXHAUSTED', 'namespace rate limit exceeded') }))!,
    /^Failed to query Workflow: the Temporal server refused it with RESOURCE_EXHAUSTED: namespace rate limit exceeded\.$/);
  assert.equal(describeServerError(new Error('ECONNREFUSED')), undefined);
  assert.equal(serverRefusal(Object.assign(new Error('x'), { code: 'ENOENT' })), undefined);
});

test('PERMISSION_DENIED names the call and the role it needs', async () => {
  const denied = () => Promise.reject(grpcError(7, 'PERMISSION_DENIED', 'Request unauthorized.'));
  await assert.rejects(call('AddSearchAttributes', 'installs', denied), (e: Error) => {
    assert.ok(e instanceof PermissionMissingError);
    assert.match(e.message, /refused AddSearchAttributes on namespace installs with PERMISSION_DENIED \(Request unauthorized\.\)/);
    assert.match(e.message, /admin role on the namespace/);
    return true;
  });
  await assert.rejects(call('RegisterNamespace', 'installs', denied), /RegisterNamespace .* cluster admin role/);
  // Other refusals go through unchanged.
  await assert.rejects(call('ListSearchAttributes', 'x', () => Promise.reject(grpcError(5, 'NOT_FOUND', 'namespace x not found'))), (e: Error) => !(e instanceof PermissionMissingError));
});

test('retention: days, hours or weeks', () => {
  assert.equal(parseRetention('30d'), 30 * 86_400);
  assert.equal(parseRetention('720h'), 30 * 86_400);
  assert.equal(parseRetention('6w'), 42 * 86_400);
  assert.equal(parseRetention('30'), undefined);
  assert.equal(parseRetention('1y'), undefined);
  assert.equal(formatDays(45 * 86_400), '45d');
  assert.equal(formatDays(36 * 3600), '36h');
});
