/** TLS settings for the connection to Vault, read from the files the options name (at client creation). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VaultConfigError } from './errors.js';
import type { VaultClientOptions } from './options.js';

export interface TlsConnectOptions {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  servername?: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readText(path: string, setting: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new VaultConfigError(setting, `cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function certificates(pem: string, setting: string, source: string): string[] {
  const found = pem.match(PEM_CERTIFICATE) ?? [];
  if (found.length === 0) throw new VaultConfigError(setting, `no PEM certificate in ${source}`);
  return found;
}

/** Every PEM file directly in `dir` (as Vault's rootcerts does); files without certificates are an error. */
function directoryCertificates(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new VaultConfigError('ca_path', `cannot read CA directory ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const out: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    out.push(...certificates(readText(file, 'ca_path', 'CA file'), 'ca_path', file));
  }
  if (out.length === 0) throw new VaultConfigError('ca_path', `no PEM certificate in ${dir}`);
  return out;
}

/** The trusted CAs (VAULT_CACERT_BYTES > ca_cert > ca_path; none given: Node's defaults) and client identity. */
export function tlsConnectOptions(o: VaultClientOptions): TlsConnectOptions {
  const tls: TlsConnectOptions = { rejectUnauthorized: !(o.tlsSkipVerify ?? false) };
  if (o.caCertPem !== undefined) tls.ca = certificates(o.caCertPem, 'VAULT_CACERT_BYTES', 'the given PEM text');
  else if (o.caCert !== undefined) tls.ca = certificates(readText(o.caCert, 'ca_cert', 'CA file'), 'ca_cert', o.caCert);
  else if (o.caPath !== undefined) tls.ca = directoryCertificates(o.caPath);
  if ((o.clientCert === undefined) !== (o.clientKey === undefined))
    throw new VaultConfigError('client_cert', 'client_cert and client_key must be given together');
  if (o.clientCert !== undefined && o.clientKey !== undefined) {
    tls.cert = readText(o.clientCert, 'client_cert', 'client certificate');
    tls.key = readText(o.clientKey, 'client_key', 'client key');
  }
  if (o.tlsServerName !== undefined) tls.servername = o.tlsServerName;
  return tls;
}
