import assert from 'node:assert/strict';
import { createCertificateAuthority } from './authority.js';
import { certificatesOf, mergeCaBundle } from './ca-bundle.js';

const now = new Date();
const ca = (cn: string) => createCertificateAuthority({ commonName: cn, now, validForMs: 86_400_000 });

describe('certs/ca-bundle', () => {
  it('001 an empty bundle becomes the new CA', async () => {
    const a = await ca('a');
    assert.equal(mergeCaBundle('', a.certPem), a.certPem);
  });
  it('002 a bundle that already trusts the CA is left alone', async () => {
    const a = await ca('a');
    const b = await ca('b');
    assert.equal(mergeCaBundle(a.certPem + b.certPem, b.certPem), a.certPem + b.certPem);
  });
  it('003 roll-over keeps only the last old CA, then the new one', async () => {
    const [a, b, c] = [await ca('a'), await ca('b'), await ca('c')];
    assert.deepEqual(certificatesOf(mergeCaBundle(a.certPem + b.certPem, c.certPem)), [b.certPem, c.certPem]);
  });
  it('004 garbage and non-certificate blocks are ignored', async () => {
    const a = await ca('a');
    assert.equal(
      mergeCaBundle('-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\nnonsense', a.certPem),
      a.certPem,
    );
  });
});
