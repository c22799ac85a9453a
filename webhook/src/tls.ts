import { hostname } from 'node:os';
import type { SecureContextOptions } from 'node:tls';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServingCertificate,
} from '../../certs/src/authority.js';
import { mergeCaBundle } from '../../certs/src/ca-bundle.js';
import { type CertBundle, FileCertSource } from '../../certs/src/file-source.js';
import type { Logger } from '../../cli/log.js';
import { SharedCerts } from './cert-store.js';
import type { InjectorConfig } from './config-types.js';
import { type KubeApi, readCaBundle, writeCaBundle } from './kube.js';
import { LeaderElector } from './leader.js';

const YEAR = 365 * 86_400_000;
/** The leaf is renewed after two thirds of its life (default a year): never near expiry. */
export const LEAF_RENEW_FRACTION = 2 / 3;

export interface TlsManager {
  /** Options for https.createServer; later changes go through `onChange`. */
  readonly initial: SecureContextOptions;
  onChange(apply: (ctx: SecureContextOptions) => void): void;
  close(): Promise<void>;
}

function ctx(b: CertBundle, cfg: InjectorConfig): SecureContextOptions {
  const minVersion = { tls10: 'TLSv1', tls11: 'TLSv1.1', tls12: 'TLSv1.2', tls13: 'TLSv1.3' } as const;
  return {
    cert: b.certPem,
    key: b.keyPem,
    minVersion: minVersion[cfg.tlsMinVersion],
    ...(cfg.tlsCipherSuites.length ? { ciphers: cfg.tlsCipherSuites.map(goCipherToOpenssl).join(':') } : {}),
  };
}

/** Go cipher suite names -> OpenSSL names (TLS 1.3 suites are always on in Node). */
export function goCipherToOpenssl(name: string): string {
  return name
    .replace(/^TLS_/, '')
    .replace('_WITH_', '-')
    .replace('ECDHE_ECDSA', 'ECDHE-ECDSA')
    .replace('ECDHE_RSA', 'ECDHE-RSA')
    .replace('AES_128_GCM_SHA256', 'AES128-GCM-SHA256')
    .replace('AES_256_GCM_SHA384', 'AES256-GCM-SHA384')
    .replace('CHACHA20_POLY1305_SHA256', 'CHACHA20-POLY1305')
    .replace('AES_128_CBC_SHA256', 'AES128-SHA256')
    .replace('AES_128_CBC_SHA', 'AES128-SHA')
    .replace('AES_256_CBC_SHA', 'AES256-SHA');
}

/** Publishes `caPem` in the webhook's caBundle, keeping the previous CA during roll-over. */
export async function publishCa(api: KubeApi, webhook: string, caPem: string, log: Logger): Promise<void> {
  const current = await readCaBundle(api, webhook);
  const next = mergeCaBundle(current, caPem);
  if (next === current) return;
  await writeCaBundle(api, webhook, next);
  log.info('updated caBundle', { webhook });
}

/**
 * File mode (-tls-cert-file): serve the files, reload when they change. Auto mode: a CA made once
 * per process and a long-lived leaf signed by it, renewed well before expiry with the same CA (so
 * the published caBundle stays valid), and the CA published when -tls-auto names a webhook.
 */
export async function startTls(cfg: InjectorConfig, log: Logger, kube: () => KubeApi): Promise<TlsManager> {
  const listeners: Array<(c: SecureContextOptions) => void> = [];
  const emit = (b: CertBundle) => {
    for (const l of listeners) l(ctx(b, cfg));
  };
  if (cfg.tlsCertFile !== '') {
    const source = new FileCertSource({
      certFile: cfg.tlsCertFile,
      keyFile: cfg.tlsKeyFile,
      caFile: cfg.tlsCaCertFile || undefined,
      onBundle: (b) => {
        log.info('serving a new certificate from files', { cert: cfg.tlsCertFile });
        emit(b);
        if (cfg.tlsAuto !== '' && b.caPem)
          publishCa(kube(), cfg.tlsAuto, b.caPem, log).catch((e: Error) =>
            log.error('caBundle update failed', { error: e.message }),
          );
      },
      onError: (m) => log.warn(m),
    });
    const first = await source.start();
    if (cfg.tlsAuto !== '' && first.caPem) await publishCa(kube(), cfg.tlsAuto, first.caPem, log);
    return { initial: ctx(first, cfg), onChange: (f) => listeners.push(f), close: () => source.close() };
  }

  const hosts = cfg.tlsAutoHosts.filter((h) => h !== '');
  const names = hosts.length ? hosts : ['localhost', '127.0.0.1'];
  if (cfg.useLeaderElector) return startSharedTls(cfg, log, kube(), names, emit, (f) => listeners.push(f));
  const issue = async (ca: CertificateAuthority) =>
    issueServingCertificate(ca, {
      commonName: 'Agent Inject Service',
      hosts: names,
      now: new Date(),
      validForMs: cfg.tlsAutoCertValidityMs,
    });
  const ca = await createCertificateAuthority({
    commonName: 'Agent Inject CA',
    now: new Date(),
    validForMs: 10 * YEAR,
  });
  const leaf = await issue(ca);
  if (cfg.tlsAuto !== '') await publishCa(kube(), cfg.tlsAuto, ca.certPem, log);
  log.info('generated a self-signed CA and serving certificate', { hosts: names.join(',') });
  const renew = setInterval(
    () => {
      issue(ca)
        .then((b) => {
          log.info('renewed the serving certificate');
          emit({ ...b, caPem: ca.certPem });
        })
        .catch((e: Error) => log.error('certificate renewal failed', { error: e.message }));
    },
    // setInterval cannot wait longer than 2^31-1 ms (~24.8 days): renewing more often than needed is harmless
    Math.min(cfg.tlsAutoCertValidityMs * LEAF_RENEW_FRACTION, 2 ** 31 - 1),
  );
  renew.unref();
  return {
    initial: ctx({ ...leaf, caPem: ca.certPem }, cfg),
    onChange: (f) => listeners.push(f),
    close: async () => clearInterval(renew),
  };
}

/** Auto TLS across replicas: one leader (a Lease) keeps CA and certificate in a Secret; all serve it. */
async function startSharedTls(
  cfg: InjectorConfig,
  log: Logger,
  api: KubeApi,
  hosts: readonly string[],
  emit: (b: CertBundle) => void,
  addListener: (f: (c: SecureContextOptions) => void) => void,
): Promise<TlsManager> {
  const elector = new LeaderElector({
    api,
    namespace: cfg.podNamespace,
    name: 'vault-injector-leader',
    identity: cfg.podName || `${hostname()}-${process.pid}`,
    log: log.named('leader'),
  });
  let first: CertBundle | undefined;
  const shared = new SharedCerts({
    api,
    namespace: cfg.podNamespace,
    elector,
    hosts,
    validityMs: cfg.tlsAutoCertValidityMs,
    renewFraction: LEAF_RENEW_FRACTION,
    log,
    onBundle: (b) => {
      if (first) {
        log.info('serving a new certificate from the shared Secret');
        emit(b);
      }
    },
    publishCa: async (caPem) => {
      if (cfg.tlsAuto !== '') await publishCa(api, cfg.tlsAuto, caPem, log);
    },
  });
  await elector.start();
  // Followers wait for the leader to fill the Secret; bounded, with a line every 10 s.
  for (let i = 0; i < 600 && !first; i++) {
    first = await shared.sync().catch((err: Error) => {
      log.warn('reading shared certificates failed', { error: err.message });
      return undefined;
    });
    if (!first) {
      if (i % 10 === 0)
        log.info('waiting for the leader to store a certificate', {
          secret: 'vault-injector-certs',
          leader: elector.isLeader,
        });
      await new Promise((r) => setTimeout(r, 1000));
      if (!elector.isLeader) await elector.tryAcquireOrRenew().catch(() => false);
    }
  }
  if (!first)
    throw new Error('no serving certificate after 10 minutes: no leader stored one in Secret vault-injector-certs');
  // A follower also runs an election round on every sync, not only every lease/3: when the leader gives the
  // lease up, the certificate it can no longer renew must not expire while we wait for the next round.
  const timer = setInterval(() => {
    (elector.isLeader ? Promise.resolve(true) : elector.tryAcquireOrRenew().catch(() => false))
      .then(() => shared.sync())
      .catch((err: Error) => log.warn('certificate sync failed', { error: err.message }));
  }, 2000);
  timer.unref();
  return {
    initial: ctx(first, cfg),
    onChange: addListener,
    close: async () => {
      clearInterval(timer);
      await elector.stop();
    },
  };
}
