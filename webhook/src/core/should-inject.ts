import { InjectorError } from './errors.js';
import { parseGoBool } from './go-parse.js';
import { A, full } from './keys.js';
import type { Pod } from './pod-types.js';

/** vault-k8s's ShouldInject (spec §3.1 step 2): annotated, true, Pending (or no phase), not yet injected. */
export function shouldInject(pod: Pod): boolean {
  const annotations = pod.metadata?.annotations ?? {};
  const raw = annotations[full(A.inject)];
  if (raw === undefined) return false;
  const inject = parseGoBool(raw);
  if (inject === undefined) {
    throw new InjectorError(
      'BAD_BOOL',
      'shouldInject',
      `invalid value ${JSON.stringify(raw)} for annotation ${full(A.inject)}: expected a boolean (true or false)`,
      A.inject,
    );
  }
  if (!inject) return false;
  const phase = pod.status?.phase ?? '';
  if (phase !== '' && phase !== 'Pending') return false;
  return annotations[full(A.status)] !== 'injected';
}
