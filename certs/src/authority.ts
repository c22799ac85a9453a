// @peculiar/x509 resolves its ASN.1 providers through tsyringe, which needs this polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 works on any WebCrypto; Node's is the one we have.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256: small, fast to generate, accepted by kube-apiserver, Vault and every TLS client we meet. */
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A certificate and its private key, both PEM. */
export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A certificate authority we can sign with (its key kept as a CryptoKey, and as PEM for storage). */
export interface CertificateAuthority extends KeyPairPem {
  readonly cert: x509.X509Certificate;
  readonly signingKey: CryptoKey;
}

export interface ValidityOptions {
  /** Start of validity; backdated by `backdateMs` so clocks a little behind still accept the cert. */
  readonly now: Date;
  readonly validForMs: number;
  readonly backdateMs?: number;
}

export interface LeafOptions extends ValidityOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** `server` for TLS serving certificates, `client` for client-certificate authentication. */
  readonly usage: 'server' | 'client' | 'both';
  /** Organization (O=); Kubernetes maps it to groups for client certificates. */
  readonly organization?: string;
}

const DEFAULT_BACKDATE_MS = 5 * 60 * 1000;

function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive, as RFC 5280 asks
  return Buffer.from(bytes).toString('hex');
}

function window(v: ValidityOptions): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(v.now.getTime() - (v.backdateMs ?? DEFAULT_BACKDATE_MS));
  return { notBefore, notAfter: new Date(v.now.getTime() + v.validForMs) };
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

/** PEM text ends with a newline, as every tool writes it, so bundles concatenate cleanly. */
const withNewline = (pem: string) => (pem.endsWith('\n') ? pem : `${pem}\n`);

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return withNewline(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

/** A self-signed CA certificate, usable to sign serving and client certificates. */
export async function createCertificateAuthority(
  opts: ValidityOptions & { readonly commonName: string },
): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${escapeDn(opts.commonName)}`,
    ...window(opts),
    signingAlgorithm: KEY_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert,
    signingKey: keys.privateKey,
    certPem: withNewline(cert.toString('pem')),
    keyPem: await privateKeyPem(keys.privateKey),
  };
}

/** Loads a CA from PEM (as stored in a Secret) so it can sign again. */
export async function loadCertificateAuthority(pair: KeyPairPem): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(pair.certPem);
  const der = x509.PemConverter.decodeFirst(pair.keyPem);
  const signingKey = (await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, [
    'sign',
  ])) as unknown as CryptoKey;
  return { cert, signingKey, certPem: pair.certPem, keyPem: pair.keyPem };
}

/** A leaf certificate signed by `ca`, with the names and usage asked for. */
export async function issueCertificate(ca: CertificateAuthority, opts: LeafOptions): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const names: x509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const eku = {
    server: [x509.ExtendedKeyUsage.serverAuth],
    client: [x509.ExtendedKeyUsage.clientAuth],
    both: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
  }[opts.usage];
  const subject = [
    opts.organization === undefined ? undefined : `O=${escapeDn(opts.organization)}`,
    `CN=${escapeDn(opts.commonName)}`,
  ]
    .filter((p) => p !== undefined)
    .join(', ');
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(eku, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: ca.cert.subject,
    ...window(opts),
    signingAlgorithm: KEY_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    extensions,
  });
  return { certPem: withNewline(cert.toString('pem')), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A serving certificate for `hosts`: IP literals become IP SANs, everything else DNS SANs. */
export function issueServingCertificate(
  ca: CertificateAuthority,
  opts: ValidityOptions & { readonly commonName: string; readonly hosts: readonly string[] },
): Promise<KeyPairPem> {
  return issueCertificate(ca, {
    commonName: opts.commonName,
    dnsNames: opts.hosts.filter((h) => isIP(h) === 0),
    ipAddresses: opts.hosts.filter((h) => isIP(h) !== 0),
    usage: 'server',
    now: opts.now,
    validForMs: opts.validForMs,
    ...(opts.backdateMs !== undefined ? { backdateMs: opts.backdateMs } : {}),
  });
}
