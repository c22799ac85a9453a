// PEM bundles for pkiCert (spec §3.3): scan blocks; a private key becomes Key, CA certificates go to CAChain
// (the first is CA), the non-CA certificate is Cert. Used both on Vault's answer and on the cached destination file.

import type { X509Certificate } from 'node:crypto';
import { nodeCrypto } from '../builtins.js';
import type { PemBundle } from '../template/dependencies.js';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

export interface ParsedPemBundle extends PemBundle {
  /** The leaf's validity, when a leaf certificate was found. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export function parsePemBundle(text: string): ParsedPemBundle {
  let cert = '';
  let key = '';
  let ca = '';
  const caChain: string[] = [];
  let notBefore: Date | undefined;
  let notAfter: Date | undefined;
  for (const match of text.matchAll(BLOCK)) {
    // Go's pem.Encode ends every block with a newline; templates concatenate blocks relying on it.
    const block = `${match[0]}\n`;
    const label = match[1] ?? '';
    if (label.endsWith('PRIVATE KEY')) {
      key = block;
    } else if (label === 'CERTIFICATE') {
      let x509: X509Certificate;
      try {
        x509 = new (nodeCrypto().X509Certificate)(block);
      } catch {
        continue; // not a certificate we can read: ignore, as if absent
      }
      if (x509.ca) {
        if (ca === '') ca = block;
        caChain.push(block);
      } else {
        cert = block;
        notBefore = new Date(x509.validFrom);
        notAfter = new Date(x509.validTo);
      }
    }
  }
  return { cert, key, ca, caChain, notBefore, notAfter };
}

/** What Vault's issue response holds, as one text: every string field, then the ca_chain items. */
export function pemTextOfIssue(data: Readonly<Record<string, unknown>> | null): string {
  if (data === null) return '';
  const parts: string[] = [];
  for (const value of Object.values(data)) if (typeof value === 'string') parts.push(value);
  const chain = data.ca_chain;
  if (Array.isArray(chain)) for (const c of chain) if (typeof c === 'string') parts.push(c);
  return parts.join('\n');
}

/** The bundle as the template sees it (no validity fields). */
export const toPemBundle = (b: ParsedPemBundle): PemBundle => ({
  cert: b.cert,
  key: b.key,
  ca: b.ca,
  caChain: [...b.caChain],
});
