import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority } from './authority.js';

const DAY = 24 * 3600 * 1000;
const now = new Date('2026-01-01T00:00:00Z');

describe('certs/authority', () => {
  it('001 a CA is self-signed, a CA, and valid for the asked window (backdated 5 min)', async () => {
    const ca = await createCertificateAuthority({ commonName: 'Agent Inject CA', now, validForMs: 365 * DAY });
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.subject, 'CN=Agent Inject CA');
    assert.equal(cert.issuer, 'CN=Agent Inject CA');
    assert.equal(cert.ca, true);
    assert.ok(cert.verify(cert.publicKey));
    assert.equal(new Date(cert.validFrom).getTime(), now.getTime() - 5 * 60 * 1000);
    assert.equal(new Date(cert.validTo).getTime(), now.getTime() + 365 * DAY);
    // the key PEM is the CA certificate's private key
    assert.equal(
      createPublicKey(createPrivateKey(ca.keyPem)).export({ type: 'spki', format: 'pem' }),
      cert.publicKey.export({ type: 'spki', format: 'pem' }),
    );
  });

  it('002 a serving certificate is signed by the CA and carries DNS and IP names', async () => {
    const ca = await createCertificateAuthority({ commonName: 'ca', now, validForMs: DAY });
    const leaf = await issueCertificate(ca, {
      commonName: 'vault-agent-injector-svc',
      dnsNames: ['vault-agent-injector-svc', 'vault-agent-injector-svc.vault.svc'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      now,
      validForMs: DAY,
    });
    const cert = new X509Certificate(leaf.certPem);
    assert.equal(cert.ca, false);
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    assert.equal(cert.checkHost('vault-agent-injector-svc.vault.svc'), 'vault-agent-injector-svc.vault.svc');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.checkHost('other.example'), undefined);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  });

  it('003 a CA loaded back from PEM signs certificates the original CA verifies', async () => {
    const ca = await createCertificateAuthority({ commonName: 'ca', now, validForMs: DAY });
    const again = await loadCertificateAuthority({ certPem: ca.certPem, keyPem: ca.keyPem });
    const leaf = await issueCertificate(again, {
      commonName: 'admin',
      organization: 'system:masters',
      usage: 'client',
      now,
      validForMs: DAY,
    });
    const cert = new X509Certificate(leaf.certPem);
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    assert.equal(cert.subject, 'O=system:masters\nCN=admin');
  });
});
