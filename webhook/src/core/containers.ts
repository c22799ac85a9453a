import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { CACHE_PATH, encodedAgentConfig } from './agent-config.js';
import { secretDestination } from './annotations.js';
import { InjectorError } from './errors.js';
import { A, full } from './keys.js';
import { persistentCache } from './placement.js';
import type { Container, EnvVar, Pod, VolumeMount } from './pod-types.js';
import { parseQuantity } from './quantity.js';
import type { AgentSpec, ResourceSpec } from './spec.js';
import { customSecretVolumes } from './volumes.js';

export const INIT_NAME = 'vault-agent-init';
export const SIDECAR_NAME = 'vault-agent';
const HOME = '/home/vault';

/**
 * Our own agent image (`vault-injector/agent`, any registry): its entrypoint reads VAULT_CONFIG. Every
 * other image is taken to be Vault or OpenBao (users mirror them under any name) and gets vault-k8s's
 * shell command (spec §3.2).
 */
export function isOwnAgentImage(image: string): boolean {
  return /(^|\/)vault-injector(\/agent|-agent)([:@]|$)/.test(image);
}

const RESOURCE_ANNOTATIONS = [
  ['limits', 'cpu', A.limitsCpu],
  ['limits', 'memory', A.limitsMem],
  ['limits', 'ephemeral-storage', A.limitsEphemeral],
  ['requests', 'cpu', A.requestsCpu],
  ['requests', 'memory', A.requestsMem],
  ['requests', 'ephemeral-storage', A.requestsEphemeral],
] as const;

/** The six resource annotations -> canonical quantities; empty ones omitted (spec §1.6). */
export function parseResources(raw: ReadonlyMap<string, string>): ResourceSpec {
  const out = { limits: {} as Record<string, string>, requests: {} as Record<string, string> };
  for (const [group, resource, name] of RESOURCE_ANNOTATIONS) {
    const value = raw.get(name) ?? '';
    if (value === '') continue;
    const q = parseQuantity(value);
    if (!q) {
      throw new InjectorError(
        'BAD_QUANTITY',
        'patch',
        `invalid value ${JSON.stringify(value)} for annotation ${full(name)}: expected a Kubernetes quantity such as ${resource === 'cpu' ? '250m or 1' : '64Mi or 1Gi'} (suffixes are case-sensitive)`,
        name,
      );
    }
    out[group][resource] = q.canonical;
  }
  return out;
}

function resourcesJson(r: ResourceSpec): Container['resources'] {
  const out: NonNullable<Container['resources']> = {};
  if (Object.keys(r.limits).length > 0) out.limits = { ...r.limits };
  if (Object.keys(r.requests).length > 0) out.requests = { ...r.requests };
  return out;
}

function envFor(spec: AgentSpec, init: boolean): EnvVar[] {
  const env: EnvVar[] = [
    { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ];
  const add = (name: string, value: string) => {
    if (value !== '') env.push({ name, value });
  };
  add('GOMAXPROCS', spec.goMaxProcs);
  add('VAULT_CLIENT_TIMEOUT', spec.clientTimeout);
  add('VAULT_MAX_RETRIES', spec.clientMaxRetries);
  add('VAULT_LOG_LEVEL', spec.logLevel);
  add('VAULT_LOG_FORMAT', spec.logFormat);
  add('HTTPS_PROXY', spec.proxyAddress);
  if (spec.configMap === '') {
    env.push({ name: 'VAULT_CONFIG', value: encodedAgentConfig(spec, init) });
  } else {
    add('VAULT_ADDR', spec.address);
    add('VAULT_CACERT', spec.caCert);
    add('VAULT_CAPATH', spec.caKey);
    add('VAULT_CLIENT_CERT', spec.clientCert);
    add('VAULT_CLIENT_KEY', spec.clientKey);
    env.push({ name: 'VAULT_SKIP_VERIFY', value: String(spec.tlsSkipVerify) });
    add('VAULT_TLS_SERVER_NAME', spec.tlsServerName);
  }
  add('VAULT_CACERT_BYTES', spec.vaultCaCertBytes);
  env.push(...spec.awsEnv.map((e) => ({ ...e })));
  return env;
}

function mountsFor(spec: AgentSpec, pod: Pod, init: boolean): VolumeMount[] {
  const sa = spec.serviceAccountToken;
  const saMount: VolumeMount = { name: sa.volumeName, mountPath: sa.mountPath, readOnly: true };
  const home: VolumeMount = { name: init ? 'home-init' : 'home-sidecar', mountPath: HOME };
  const mounts: VolumeMount[] = init ? [home, saMount] : [saMount, home];
  if (spec.awsIamTokenMount)
    mounts.push({ name: spec.awsIamTokenMount.name, mountPath: spec.awsIamTokenMount.mountPath, readOnly: true });
  mounts.push(...secretMounts(spec));
  if (spec.extraSecret !== '') mounts.push({ name: 'extra-secrets', mountPath: '/vault/custom', readOnly: true });
  if (spec.copyVolumeMountsFrom !== '') {
    const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
    const source = all.find((c) => c.name === spec.copyVolumeMountsFrom);
    for (const m of source?.volumeMounts ?? []) {
      if (!m.mountPath.toLowerCase().includes('serviceaccount')) mounts.push(structuredClone(m));
    }
  }
  if (spec.configMap !== '') mounts.push({ name: 'vault-config', mountPath: '/vault/configs', readOnly: true });
  if (spec.tlsSecret !== '') mounts.push({ name: 'vault-tls-secrets', mountPath: '/vault/tls', readOnly: true });
  if (persistentCache(spec)) mounts.push({ name: 'vault-agent-cache', mountPath: CACHE_PATH });
  return mounts;
}

/** `vault-secrets` at the global path, then one custom volume per other per-secret path. */
export function secretMounts(spec: AgentSpec): VolumeMount[] {
  return [
    { name: 'vault-secrets', mountPath: spec.secretVolumePath },
    ...customSecretVolumes(spec).map((v) => ({ name: v.name, mountPath: v.mountPath })),
  ];
}

function securityContext(spec: AgentSpec): Container['securityContext'] {
  return {
    capabilities: { drop: ['ALL'] },
    runAsUser: spec.runAsUser,
    runAsGroup: spec.runAsGroup,
    runAsNonRoot: spec.runAsUser !== 0 && spec.runAsGroup !== 0,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
  };
}

/** vault-k8s's `vaultCliFlags`: the address, then the TLS files that are set. */
function vaultCliFlags(spec: AgentSpec): string[] {
  const flags = [`-address=${spec.address}`];
  if (spec.caCert !== '') flags.push(`-ca-cert=${spec.caCert}`);
  if (spec.clientCert !== '') flags.push(`-client-cert=${spec.clientCert}`);
  if (spec.clientKey !== '') flags.push(`-client-key=${spec.clientKey}`);
  return flags;
}

/**
 * The sidecar's preStop hook that revokes its token after the grace period (spec §3.3). Vault images get
 * vault-k8s's exact shell line; our image has no `vault` binary and needs no shell, so it execs our CLI.
 */
export function revokeHookCommand(spec: AgentSpec): string[] {
  if (!isOwnAgentImage(spec.image)) {
    const line = `/bin/sleep ${spec.revokeGrace} && /bin/vault token revoke ${vaultCliFlags(spec).join(' ')} -self`;
    return ['/bin/sh', '-c', line];
  }
  // Also the TLS settings and namespace the agent itself uses, which vault-k8s's hook leaves out (so there it
  // fails against a Vault the agent reaches only with them); VAULT_CACERT_BYTES comes from the container env.
  const extra: string[] = [];
  if (spec.caKey !== '') extra.push(`-ca-path=${spec.caKey}`);
  if (spec.tlsSkipVerify) extra.push('-tls-skip-verify');
  if (spec.tlsServerName !== '') extra.push(`-tls-server-name=${spec.tlsServerName}`);
  if (spec.vaultNamespace !== '') extra.push(`-namespace=${spec.vaultNamespace}`);
  return ['vault-injector', 'token-revoke', '-self', `-wait=${spec.revokeGrace}s`, ...vaultCliFlags(spec), ...extra];
}

function commandFor(spec: AgentSpec, init: boolean): Pick<Container, 'command' | 'args'> {
  const hcl = init ? '/vault/configs/config-init.hcl' : '/vault/configs/config.hcl';
  if (!isOwnAgentImage(spec.image)) {
    const line =
      spec.configMap !== ''
        ? `touch ${HOME}/.vault-token && vault agent -config=${hcl}`
        : `echo \${VAULT_CONFIG?} | base64 -d > ${HOME}/config.json && vault agent -config=${HOME}/config.json`;
    return { command: ['/bin/sh', '-ec'], args: [line] };
  }
  // Our agent image: its entrypoint is the vault-injector CLI, which reads VAULT_CONFIG itself.
  return { args: spec.configMap !== '' ? ['agent', `-config=${hcl}`] : ['agent'] };
}

/**
 * The native-sidecar startup probe: passes once every template's destination exists, i.e. after the
 * agent's first full render (files appear atomically). Vault images have a shell; ours has our CLI.
 */
export function renderedProbe(spec: AgentSpec): NonNullable<Container['startupProbe']> {
  const files = spec.secrets.map((s) => secretDestination(s));
  const command = !isOwnAgentImage(spec.image)
    ? [
        '/bin/sh',
        '-c',
        files.length ? files.map((f) => `test -f '${f.replaceAll("'", "'\\''")}'`).join(' && ') : 'true',
      ]
    : ['vault-injector', 'check-files', '--', ...files];
  return { exec: { command }, periodSeconds: 1, failureThreshold: 300, timeoutSeconds: 5 };
}

function applyUserPatch(container: Container, ops: readonly Operation[] | undefined, annotation: string): Container {
  if (!ops || ops.length === 0) return container;
  try {
    const doc = structuredClone(container);
    return fastJsonPatch.applyPatch(doc, structuredClone(ops) as Operation[], true, true).newDocument;
  } catch (err) {
    throw new InjectorError(
      'JSON_PATCH_APPLY',
      'patch',
      `failed to apply JSON patch: ${(err as Error).message.split('\n')[0]} (annotation ${full(annotation)})`,
      annotation,
    );
  }
}

/** `vault-agent-init` (spec §3.2). */
export function initContainer(spec: AgentSpec, pod: Pod): Container {
  const c: Container = {
    name: INIT_NAME,
    image: spec.image,
    ...commandFor(spec, true),
    env: envFor(spec, true),
    resources: resourcesJson(spec.resources),
    volumeMounts: mountsFor(spec, pod, true),
    ...(spec.setSecurityContext ? { securityContext: securityContext(spec) } : {}),
  };
  return applyUserPatch(c, spec.agentInitJsonPatch, A.initJsonPatch);
}

/** `vault-agent` (spec §3.3); as a native sidecar it also gets restartPolicy Always and a startup probe. */
export function sidecarContainer(spec: AgentSpec, pod: Pod): Container {
  const c: Container = {
    name: SIDECAR_NAME,
    image: spec.image,
    ...commandFor(spec, false),
    env: envFor(spec, false),
    resources: resourcesJson(spec.resources),
    ...(spec.nativeSidecar ? { restartPolicy: 'Always' } : {}),
    volumeMounts: mountsFor(spec, pod, false),
    ...(spec.nativeSidecar ? { startupProbe: renderedProbe(spec) } : {}),
    lifecycle: spec.revokeOnShutdown ? { preStop: { exec: { command: revokeHookCommand(spec) } } } : {},
    ...(spec.setSecurityContext ? { securityContext: securityContext(spec) } : {}),
  };
  return applyUserPatch(c, spec.agentJsonPatch, A.jsonPatch);
}
