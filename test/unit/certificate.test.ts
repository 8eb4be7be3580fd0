import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCertificatePair } from '../../src/activities/chart';
import { makeCertificate } from '../../src/client/certs';

const good = makeCertificate('kloudspot.acme.example');
const other = makeCertificate('other.example');

test('a matching certificate that covers the host name is accepted', () => {
  const r = checkCertificatePair(good.certificatePem, good.privateKeyPem, 'kloudspot.acme.example');
  assert.equal(r.ok, true, r.reason);
});

test('a key that does not match the certificate is rejected with the reason', () => {
  const r = checkCertificatePair(good.certificatePem, other.privateKeyPem, 'kloudspot.acme.example');
  assert.equal(r.ok, false);
  assert.match(r.reason!, /does not match/);
});

test('a certificate for another host name is rejected naming both', () => {
  const r = checkCertificatePair(other.certificatePem, other.privateKeyPem, 'kloudspot.acme.example');
  assert.equal(r.ok, false);
  assert.match(r.reason!, /does not cover kloudspot\.acme\.example.*other\.example/);
});

test('garbage is rejected as not PEM, without echoing it', () => {
  const r = checkCertificatePair('hello', good.privateKeyPem, 'kloudspot.acme.example');
  assert.match(r.reason!, /not a PEM certificate/);
  const k = checkCertificatePair(good.certificatePem, 'secret-ish-garbage', 'kloudspot.acme.example');
  assert.match(k.reason!, /not a PEM private key/);
  assert.doesNotMatch(k.reason!, /secret-ish/);
});

test('an expired certificate is rejected', () => {
  const r = checkCertificatePair(good.certificatePem, good.privateKeyPem, 'kloudspot.acme.example', new Date(Date.now() + 60 * 86400_000));
  assert.match(r.reason!, /expired/);
});
