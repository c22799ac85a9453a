import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from './authority.js';
import { bundleProblem, type CertBundle, FileCertSource } from './file-source.js';

const now = new Date();
const DAY = 86_400_000;

async function pair(cn: string) {
  const ca = await createCertificateAuthority({ commonName: 'ca', now, validForMs: DAY });
  return {
    ca,
    leaf: await issueCertificate(ca, { commonName: cn, dnsNames: [cn], usage: 'server', now, validForMs: DAY }),
  };
}

/** Writes files the way the kubelet updates a Secret volume: a new dated dir, then a `..data` symlink swap. */
function kubeletWrite(dir: string, files: Record<string, string>, gen: number): void {
  const data = join(dir, `..2026_${gen}`);
  mkdirSync(data);
  for (const [k, v] of Object.entries(files)) writeFileSync(join(data, k), v);
  const tmpLink = join(dir, '..data_tmp');
  symlinkSync(`..2026_${gen}`, tmpLink);
  renameSync(tmpLink, join(dir, '..data'));
  if (gen === 0) for (const k of Object.keys(files)) symlinkSync(join('..data', k), join(dir, k));
}

describe('certs/file-source', () => {
  it('001 bundleProblem spots a key that does not match', async () => {
    const a = await pair('a');
    const b = await pair('b');
    assert.equal(bundleProblem({ certPem: a.leaf.certPem, keyPem: a.leaf.keyPem }), undefined);
    assert.equal(
      bundleProblem({ certPem: a.leaf.certPem, keyPem: b.leaf.keyPem }),
      'the private key does not match the certificate',
    );
  });

  it('002 reloads when a Secret volume swaps its ..data symlink', async function () {
    this.timeout(10_000);
    const dir = mkdtempSync(join(tmpdir(), 'vi-certs-'));
    try {
      const first = await pair('first.svc');
      kubeletWrite(dir, { 'tls.crt': first.leaf.certPem, 'tls.key': first.leaf.keyPem }, 0);
      const seen: CertBundle[] = [];
      const errors: string[] = [];
      const src = new FileCertSource({
        certFile: join(dir, 'tls.crt'),
        keyFile: join(dir, 'tls.key'),
        onBundle: (b) => seen.push(b),
        onError: (m) => errors.push(m),
        pollMs: 200,
      });
      const initial = await src.start();
      assert.equal(initial.certPem, first.leaf.certPem);
      const second = await pair('second.svc');
      kubeletWrite(dir, { 'tls.crt': second.leaf.certPem, 'tls.key': second.leaf.keyPem }, 1);
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      await src.close();
      assert.equal(seen.length, 1, errors.join('; '));
      assert.equal(seen[0]?.certPem, second.leaf.certPem);
      assert.equal(src.current?.certPem, second.leaf.certPem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('003 a mismatched pair is not used; the old one stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vi-certs-'));
    try {
      const a = await pair('a');
      const b = await pair('b');
      writeFileSync(join(dir, 'c.pem'), a.leaf.certPem);
      writeFileSync(join(dir, 'k.pem'), a.leaf.keyPem);
      const errors: string[] = [];
      const src = new FileCertSource({
        certFile: join(dir, 'c.pem'),
        keyFile: join(dir, 'k.pem'),
        onBundle: () => {},
        onError: (m) => errors.push(m),
      });
      await src.start();
      writeFileSync(join(dir, 'k.pem'), b.leaf.keyPem);
      await src.reload();
      await src.close();
      assert.equal(src.current?.keyPem, a.leaf.keyPem);
      assert.deepEqual(errors, ['new TLS files not used yet: the private key does not match the certificate']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
