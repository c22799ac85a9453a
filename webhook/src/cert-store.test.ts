import assert from 'node:assert/strict';
import { createCertificateAuthority, issueCertificate } from '../../certs/src/authority.js';
import { leafNeedsRenewal } from './cert-store.js';

describe('webhook/cert-store', () => {
  it('001 a leaf is renewed after two thirds of its configured validity, not before', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const validity = 9000;
    const ca = await createCertificateAuthority({ commonName: 'ca', now: t0, validForMs: 86_400_000 });
    const leaf = await issueCertificate(ca, { commonName: 'l', usage: 'server', now: t0, validForMs: validity });
    const at = (ms: number) => leafNeedsRenewal(leaf, ca, new Date(t0.getTime() + ms), validity, 2 / 3);
    assert.equal(at(0), false);
    assert.equal(at(5900), false);
    assert.equal(at(6000), true);
    assert.equal(leafNeedsRenewal(undefined, ca, t0, validity, 2 / 3), true);
    const other = await createCertificateAuthority({ commonName: 'other', now: t0, validForMs: 86_400_000 });
    assert.equal(leafNeedsRenewal(leaf, other, t0, validity, 2 / 3), true, 'a leaf from another CA is replaced');
  });
});
