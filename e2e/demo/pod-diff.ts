import { stringify } from 'yaml';

/*
 * The demo's pod diff: the parts of a pod the injector changes (labels, annotations, service
 * account, init containers, containers, volumes) as YAML, the way `vault-injector mutate` prints a
 * pod, with `+`/`-` markers for what the webhook added or removed.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** Values the API server fills in on every container when they are absent; the webhook did not add them. */
const CONTAINER_DEFAULTS: Readonly<Record<string, Json>> = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};

/** The ServiceAccount admission plugin's token volume (`kube-api-access-xxxxx`): the API server's, not ours. */
const isTokenVolume = (name: unknown) => typeof name === 'string' && name.startsWith('kube-api-access-');

/** Long values (the agent's base64 VAULT_CONFIG) are cut so the diff stays readable. */
export const MAX_VALUE_CHARS = 120;

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shorten(v: Json): Json {
  if (typeof v === 'string' && v.length > MAX_VALUE_CHARS && !v.includes('\n')) {
    return `${v.slice(0, MAX_VALUE_CHARS - 32)}… (${v.length} characters)`;
  }
  if (Array.isArray(v)) return v.map(shorten);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shorten(x)]));
  return v;
}

/** `fieldRef.apiVersion: v1` is the API server's default; dropped on both sides so only real changes show. */
function withoutFieldRefVersion(env: Json): Json {
  const ref = isObject(env) && isObject(env.valueFrom) ? env.valueFrom.fieldRef : undefined;
  if (!isObject(env) || !isObject(ref) || ref.apiVersion !== 'v1') return env;
  const { apiVersion: _defaulted, ...rest } = ref;
  return { ...env, valueFrom: { ...(env.valueFrom as JsonObject), fieldRef: rest } };
}

/**
 * A container without what the API server adds by itself: defaults, and the service-account token
 * mount. `original` is the same container as submitted (absent for one the webhook added).
 */
function withoutServerAdditions(container: JsonObject, original: JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(container)) {
    if (original?.[key] === undefined) {
      if (CONTAINER_DEFAULTS[key] === value) continue;
      if (key === 'resources' && isObject(value) && Object.keys(value).length === 0) continue;
      // defaulted from the image tag when the user's container did not set it
      if (key === 'imagePullPolicy' && original !== undefined) continue;
    }
    if (key === 'volumeMounts' && Array.isArray(value)) {
      out[key] = value.filter((m) => !(isObject(m) && isTokenVolume(m.name)));
    } else out[key] = value;
  }
  return out;
}

function containers(pod: JsonObject, field: 'containers' | 'initContainers'): JsonObject[] {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const list = spec[field];
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/**
 * The injector's view of a pod. With `submitted`, `pod` is the stored pod and what the API server
 * adds by itself is left out, so a diff against the submitted pod shows the webhook's changes only.
 */
export function podView(pod: JsonObject, submitted?: JsonObject): JsonObject {
  const meta = isObject(pod.metadata) ? pod.metadata : {};
  const spec = isObject(pod.spec) ? pod.spec : {};
  const clean = (field: 'containers' | 'initContainers') =>
    containers(pod, field).map((c) => {
      const base = submitted
        ? withoutServerAdditions(
            c,
            containers(submitted, field).find((s) => s.name === c.name),
          )
        : c;
      return Array.isArray(base.env) ? { ...base, env: base.env.map(withoutFieldRefVersion) } : base;
    });
  const metadata: JsonObject = {};
  if (isObject(meta.labels)) metadata.labels = meta.labels;
  if (isObject(meta.annotations)) metadata.annotations = meta.annotations;
  const outSpec: JsonObject = {};
  if (spec.serviceAccountName !== undefined) outSpec.serviceAccountName = spec.serviceAccountName;
  if (containers(pod, 'initContainers').length) outSpec.initContainers = clean('initContainers');
  outSpec.containers = clean('containers');
  const volumes = Array.isArray(spec.volumes)
    ? spec.volumes.filter((v) => !(isObject(v) && isTokenVolume(v.name)))
    : [];
  if (volumes.length) outSpec.volumes = volumes;
  return shorten({ metadata, spec: outSpec }) as JsonObject;
}

export type DiffLine = { readonly op: ' ' | '+' | '-'; readonly text: string };

/** A line diff by longest common subsequence (pods are a few hundred lines, so the table stays small). */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  if (n * m > 4_000_000) {
    return [
      ...before.map((text) => ({ op: '-' as const, text })),
      ...after.map((text) => ({ op: '+' as const, text })),
    ];
  }
  // lcs[i][j] = length of the LCS of before[i..] and after[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ op: ' ', text: before[i++]! });
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push({ op: '-', text: before[i++]! });
    } else {
      out.push({ op: '+', text: after[j++]! });
    }
  }
  return out;
}

/**
 * `value` with its object keys in `like`'s order (keys `like` lacks go last), recursively; list items
 * are matched by `name` when they have one. The API server writes fields in its own order, and a
 * moved key is not a change.
 */
export function orderLike(value: Json, like: Json | undefined): Json {
  if (Array.isArray(value)) {
    const others = Array.isArray(like) ? like : [];
    return value.map((item, i) => {
      const named = isObject(item) && item.name !== undefined;
      return orderLike(item, named ? others.find((o) => isObject(o) && o.name === item.name) : others[i]);
    });
  }
  if (!isObject(value)) return value;
  const template = isObject(like) ? Object.keys(like) : [];
  const keys = [...template.filter((k) => k in value), ...Object.keys(value).filter((k) => !template.includes(k))];
  return Object.fromEntries(keys.map((k) => [k, orderLike(value[k] as Json, isObject(like) ? like[k] : undefined)]));
}

function yamlLines(view: JsonObject): string[] {
  return stringify(view, { lineWidth: 0 }).trimEnd().split('\n');
}

export interface PodDiff {
  /** Unified-style lines: `+` what the webhook added, `-` what it removed, a space otherwise. */
  readonly text: string;
  readonly added: number;
  readonly removed: number;
}

/** The webhook's changes to a pod: the submitted pod against the pod the API server stored. */
export function podDiff(submitted: JsonObject, stored: JsonObject): PodDiff {
  const after = podView(stored, submitted);
  const before = orderLike(podView(submitted), after) as JsonObject;
  const lines = diffLines(yamlLines(before), yamlLines(after));
  return {
    text: lines.map((l) => `${l.op} ${l.text}`).join('\n'),
    added: lines.filter((l) => l.op === '+').length,
    removed: lines.filter((l) => l.op === '-').length,
  };
}
