import { X509Certificate } from 'node:crypto';

/** Splits a PEM bundle into its CERTIFICATE blocks (other blocks are ignored, as vault-k8s does). */
export function certificatesOf(bundle: string): string[] {
  return [...bundle.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => `${m[0]}\n`);
}

function fingerprint(pem: string): string | undefined {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}

/**
 * The caBundle to publish when the CA is `newCaPem`: if the published bundle already trusts it,
 * unchanged; otherwise the last CA of the old bundle followed by the new one, so certificates signed
 * by either are accepted while replicas and the API server catch up (no "bad certificate" window).
 */
export function mergeCaBundle(published: string, newCaPem: string): string {
  const newPrint = fingerprint(newCaPem);
  const old = certificatesOf(published).filter((c) => fingerprint(c) !== undefined);
  if (old.some((c) => fingerprint(c) === newPrint)) return published;
  const keep = old.at(-1);
  return `${keep ?? ''}${newCaPem.endsWith('\n') ? newCaPem : `${newCaPem}\n`}`;
}
