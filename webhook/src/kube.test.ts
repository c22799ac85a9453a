import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../../certs/src/authority.js';
import { KubeApi } from './kube.js';

describe('webhook/kube in-cluster access', () => {
  it('001 uses the mounted CA and re-reads the rotating token for every request', async () => {
    const now = new Date();
    const ca = await createCertificateAuthority({ commonName: 'cluster ca', now, validForMs: 86_400_000 });
    const leaf = await issueCertificate(ca, {
      commonName: 'api',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      now,
      validForMs: 86_400_000,
    });
    const seen: string[] = [];
    const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.setHeader('content-type', 'application/json');
      res.end('{"kind":"Status"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const dir = mkdtempSync(join(tmpdir(), 'vi-incluster-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), ca.certPem);
      writeFileSync(join(dir, 'token'), 'first\n');
      const port = (server.address() as AddressInfo).port;
      const api = KubeApi.fromEnvironment(
        { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) },
        dir,
      );
      const r1 = await api.call<{ kind: string }>('GET', '/api');
      writeFileSync(join(dir, 'token'), 'second\n');
      await api.call('GET', '/api');
      assert.equal(r1.status, 200);
      assert.equal(r1.json?.kind, 'Status');
      assert.deepEqual(seen, ['Bearer first', 'Bearer second']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
