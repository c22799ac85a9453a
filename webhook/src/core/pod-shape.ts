import { InjectorError } from './errors.js';

/** Pods are shallow; anything deeper than this is not a pod and could exhaust the stack later on. */
export const MAX_POD_DEPTH = 64;

type Check = (value: unknown, path: string) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

const str: Check = (v, path) => (absent(v) || typeof v === 'string' ? undefined : `${path} must be a string`);
const bool: Check = (v, path) => (absent(v) || typeof v === 'boolean' ? undefined : `${path} must be a boolean`);
const int: Check = (v, path) => (absent(v) || Number.isInteger(v) ? undefined : `${path} must be an integer`);
const requiredStr: Check = (v, path) => (typeof v === 'string' ? undefined : `${path} must be a string`);

function obj(fields: Record<string, Check>): Check {
  return (v, path) => {
    if (absent(v)) return undefined;
    if (!isObject(v)) return `${path} must be an object`;
    for (const [k, check] of Object.entries(fields)) {
      const problem = check(v[k], `${path}.${k}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

function list(item: Check): Check {
  return (v, path) => {
    if (absent(v)) return undefined;
    if (!Array.isArray(v)) return `${path} must be an array`;
    for (const [i, x] of v.entries()) {
      if (!isObject(x)) return `${path}[${i}] must be an object`;
      const problem = item(x, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

const stringMap: Check = (v, path) => {
  if (absent(v)) return undefined;
  if (!isObject(v)) return `${path} must be an object of strings`;
  for (const [k, x] of Object.entries(v))
    if (typeof x !== 'string') return `${path}[${JSON.stringify(k)}] must be a string`;
  return undefined;
};

const container = obj({
  name: requiredStr,
  image: str,
  env: list(obj({ name: requiredStr, value: str })),
  volumeMounts: list(obj({ name: requiredStr, mountPath: requiredStr })),
  securityContext: obj({ runAsUser: int, runAsGroup: int }),
});

/** The fields the injector reads, with the types it relies on (what the API server always sends). */
const POD: Check = obj({
  metadata: obj({ name: str, generateName: str, namespace: str, annotations: stringMap }),
  spec: obj({
    containers: list(container),
    initContainers: list(container),
    shareProcessNamespace: bool,
    volumes: list(
      obj({
        name: requiredStr,
        projected: obj({ sources: list(obj({ serviceAccountToken: obj({ path: str }) })) }),
      }),
    ),
  }),
  status: obj({ phase: str }),
});

/** Deepest nesting of arrays/objects, counted without recursion and stopping past `limit`. */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** Why `request.object` cannot be treated as a Pod, or undefined when it can. */
export function podShapeError(object: unknown): InjectorError | undefined {
  const fail = (why: string) => new InjectorError('POD_DECODE', 'decode', `request.object is not a valid Pod: ${why}`);
  if (!isObject(object)) return fail('expected a JSON object');
  if (depthExceeds(object, MAX_POD_DEPTH)) return fail(`it is nested more than ${MAX_POD_DEPTH} levels deep`);
  const problem = POD(object, 'request.object');
  return problem ? fail(problem.replace(/^request\.object\./, '')) : undefined;
}
