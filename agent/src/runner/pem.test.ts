import assert from 'node:assert/strict';
import { createCertificateAuthority, issueCertificate } from '../../../certs/src/authority.js';
import { parsePemBundle, pemTextOfIssue, toPemBundle } from './pem.js';

describe('runner pkiCert PEM bundles (spec §3.3)', () => {
  it('sorts blocks into key, leaf and CA chain whatever their order, and reads the leaf validity', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const ca = await createCertificateAuthority({ commonName: 'test root', now, validForMs: 86_400_000 });
    const leaf = await issueCertificate(ca, {
      commonName: 'app.example.com',
      usage: 'server',
      now,
      validForMs: 3_600_000,
      backdateMs: 60_000,
    });
    // A template that wrote key, CA, then leaf, with no separators.
    const text = `${leaf.keyPem.trim()}${ca.certPem.trim()}\n${leaf.certPem}`;
    const b = parsePemBundle(text);
    assert.equal(b.key, leaf.keyPem);
    assert.equal(b.cert, leaf.certPem);
    assert.equal(b.ca, ca.certPem);
    assert.deepEqual(b.caChain, [ca.certPem]);
    assert.equal(b.notBefore?.toISOString(), '2029-12-31T23:59:00.000Z');
    assert.equal(b.notAfter?.toISOString(), '2030-01-01T01:00:00.000Z');
    assert.deepEqual(Object.keys(toPemBundle(b)).sort(), ['ca', 'caChain', 'cert', 'key']);
  });

  it('a file with only a key (or nothing readable) has no leaf, so pkiCert issues again', () => {
    const b = parsePemBundle('-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\nnoise');
    assert.equal(b.cert, '');
    assert.equal(b.notAfter, undefined);
    assert.match(b.key, /^-----BEGIN EC PRIVATE KEY-----/);
    const junk = parsePemBundle('-----BEGIN CERTIFICATE-----\nnot base64 der\n-----END CERTIFICATE-----\n');
    assert.equal(junk.cert, '');
    assert.deepEqual(junk.caChain, []);
  });

  it("an issue response's string fields and ca_chain items form the text to parse", () => {
    const text = pemTextOfIssue({
      certificate: 'C',
      issuing_ca: 'I',
      private_key: 'K',
      expiration: 123,
      ca_chain: ['X', 'Y'],
    });
    assert.equal(text, 'C\nI\nK\nX\nY');
    assert.equal(pemTextOfIssue(null), '');
  });
});
