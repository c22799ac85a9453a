import type { InjectorConfig } from '../config-types.js';
import { denyMessage } from './errors.js';
import { type MutationResult, mutate } from './mutate.js';
import { podShapeError } from './pod-shape.js';
import type { Pod } from './pod-types.js';

export const SUPPORTED_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patch?: string;
  patchType?: 'JSONPatch';
  status?: { metadata: Record<string, never>; message: string };
}

export interface AdmissionReviewOut {
  kind: 'AdmissionReview';
  apiVersion: string;
  response: AdmissionResponse;
}

interface AdmissionRequestIn {
  uid?: unknown;
  namespace?: unknown;
  object?: unknown;
  name?: unknown;
}

export class ReviewDecodeError extends Error {
  override readonly name = 'ReviewDecodeError';
}

/**
 * Decodes an AdmissionReview body (v1 or v1beta1). Anything that is not one is a ReviewDecodeError
 * with a message saying what was wrong, for a 400 answer.
 */
export function decodeReview(body: string): { apiVersion: string; request: AdmissionRequestIn } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new ReviewDecodeError(`error decoding admission request: body is not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ReviewDecodeError('error decoding admission request: expected a JSON object of kind AdmissionReview');
  }
  const { kind, apiVersion, request } = doc as { kind?: unknown; apiVersion?: unknown; request?: unknown };
  if (kind !== 'AdmissionReview') {
    throw new ReviewDecodeError(
      `error decoding admission request: kind is ${JSON.stringify(kind ?? null)}, expected "AdmissionReview"`,
    );
  }
  if (typeof apiVersion !== 'string' || !(SUPPORTED_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new ReviewDecodeError(
      `error decoding admission request: apiVersion ${JSON.stringify(apiVersion ?? null)} is not one of ${SUPPORTED_API_VERSIONS.join(', ')}`,
    );
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new ReviewDecodeError('error decoding admission request: the AdmissionReview has no request');
  }
  const uid = (request as AdmissionRequestIn).uid;
  if (typeof uid !== 'string' || uid === '')
    throw new ReviewDecodeError('error decoding admission request: request.uid is missing');
  return { apiVersion, request: request as AdmissionRequestIn };
}

export interface ReviewOutcome {
  readonly review: AdmissionReviewOut;
  readonly result: MutationResult;
  readonly namespace: string;
  /** The pod's name, or its generateName (pods from controllers have no name yet at admission). */
  readonly podName: string;
}

/** The webhook's one seam: a decoded AdmissionReview in, the AdmissionReview to answer out. Pure. */
export function reviewPod(
  decoded: { apiVersion: string; request: AdmissionRequestIn },
  cfg: InjectorConfig,
): ReviewOutcome {
  const { apiVersion, request } = decoded;
  const uid = String(request.uid);
  const namespace = typeof request.namespace === 'string' ? request.namespace : '';
  const pod = request.object as Pod;
  const meta =
    typeof pod === 'object' && pod !== null ? (pod.metadata as Record<string, unknown> | undefined) : undefined;
  const asString = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const podName = asString(meta?.name) ?? asString(meta?.generateName) ?? asString(request.name) ?? '';
  const decodeError = podShapeError(request.object);
  const result: MutationResult = decodeError ? { kind: 'deny', error: decodeError } : mutate(pod, namespace, cfg);
  let response: AdmissionResponse;
  switch (result.kind) {
    case 'skip':
      response = { uid, allowed: true };
      break;
    case 'deny':
      response = { uid, allowed: false, status: { metadata: {}, message: denyMessage(result.error) } };
      break;
    case 'inject':
      response = {
        uid,
        allowed: true,
        patch: Buffer.from(JSON.stringify(result.patch)).toString('base64'),
        patchType: 'JSONPatch',
      };
      break;
  }
  return { review: { kind: 'AdmissionReview', apiVersion, response }, result, namespace, podName };
}
