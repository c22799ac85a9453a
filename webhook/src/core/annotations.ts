import { posix } from 'node:path';
import type { Operation } from 'fast-json-patch';
import type { InjectorConfig } from '../config-types.js';
import { type DenyStage, InjectorError } from './errors.js';
import { parseGoBool, parseGoDuration, parseGoFloat, parseGoInt, parseGoUint } from './go-parse.js';
import { A, full, P, PREFIX, SECRET_ENTRY_PREFIXES } from './keys.js';
import { depthExceeds } from './pod-shape.js';
import type { EnvVar, Pod } from './pod-types.js';
import { findServiceAccountToken } from './service-account.js';
import { type AgentSpec, type SecretSpec, TEMPLATE_ENGINES, type TemplateEngine } from './spec.js';
import { parseTelemetry } from './telemetry.js';

/** Our own agent image, kept at the package version (a unit test checks it); it reads VAULT_CONFIG itself. */
export const DEFAULT_AGENT_IMAGE = 'vault-injector/agent:0.1.0';
export const DEFAULT_SECRET_VOLUME_PATH = '/vault/secrets';
const BOOL_HINT = 'a boolean: true, false, 1, 0, t, f (any of TRUE/True/FALSE/False), or empty for false';

/** Annotations without the `vault.hashicorp.com/` prefix, as a sorted Map (stable, unlike Go's map order). */
export type Annotations = ReadonlyMap<string, string>;

export function vaultAnnotations(pod: Pod): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of Object.keys(pod.metadata?.annotations ?? {}).sort()) {
    if (key.startsWith(PREFIX)) out.set(key.slice(PREFIX.length), pod.metadata?.annotations?.[key] ?? '');
  }
  return out;
}

/** A value as quoted in messages: long values are cut, so a denial never echoes a megabyte back. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

function invalid(
  code: InjectorError['code'],
  stage: DenyStage,
  name: string,
  value: string,
  expected: string,
): InjectorError {
  return new InjectorError(
    code,
    stage,
    `invalid value ${shown(value)} for annotation ${full(name)}: expected ${expected}`,
    name,
  );
}

/** A bool annotation; absent means `fallback`. */
function readBool(a: Annotations, name: string, fallback: boolean, stage: DenyStage = 'parse'): boolean {
  const raw = a.get(name);
  if (raw === undefined) return fallback;
  const v = parseGoBool(raw);
  if (v === undefined) throw invalid('BAD_BOOL', stage, name, raw, BOOL_HINT);
  return v;
}

function readInt(a: Annotations, name: string, fallback: number): number {
  const raw = a.get(name);
  if (raw === undefined) return fallback;
  const v = parseGoInt(raw);
  if (v === undefined) throw invalid('BAD_INT', 'parse', name, raw, 'a decimal integer such as 100');
  return v;
}

function str(a: Annotations, name: string): string {
  return a.get(name) ?? '';
}

/**
 * vault-k8s's `Init`: default values for absent annotations from the injector's settings (spec §1.1).
 * Only in memory: the patch never writes them back.
 */
export function withDefaults(pod: Pod, requestNamespace: string, cfg: InjectorConfig): Map<string, string> {
  const fail = (code: InjectorError['code'], message: string) => new InjectorError(code, 'defaults', message);
  if (cfg.vaultAddress === '') throw fail('MISSING_ADDRESS', 'address for Vault required');
  if (cfg.vaultAuthPath === '') throw fail('MISSING_AUTH_PATH', 'Vault Auth Path required');
  if (requestNamespace === '') throw fail('MISSING_NAMESPACE', 'kubernetes namespace required');
  const a = vaultAnnotations(pod);
  const had = (k: string) => a.has(k);
  const def = (k: string, v: string) => {
    if (!a.has(k)) a.set(k, v);
  };
  const forceSecurityContext =
    !cfg.setSecurityContext &&
    !had(A.setSecurityContext) &&
    (had(A.runAsUser) || had(A.runAsSameUser) || had(A.runAsGroup));
  def(A.service, cfg.vaultAddress);
  def(A.authType, cfg.vaultAuthType || 'kubernetes');
  def(A.authPath, cfg.vaultAuthPath);
  def(A.namespace, cfg.vaultNamespace);
  def(A.proxyAddress, cfg.proxyAddress);
  def(A.image, cfg.vaultImage || DEFAULT_AGENT_IMAGE);
  def(A.requestNamespace, requestNamespace);
  def(A.limitsCpu, cfg.cpuLimit);
  def(A.limitsMem, cfg.memoryLimit);
  def(A.limitsEphemeral, cfg.ephemeralStorageLimit);
  def(A.requestsCpu, cfg.cpuRequest);
  def(A.requestsMem, cfg.memoryRequest);
  def(A.requestsEphemeral, cfg.ephemeralStorageRequest);
  def(A.secretVolumePath, DEFAULT_SECRET_VOLUME_PATH);
  def(A.revokeOnShutdown, String(cfg.revokeOnShutdown));
  def(A.revokeGrace, '5');
  def(A.logLevel, 'info');
  def(A.logFormat, 'standard');
  def(A.serviceAccountTokenVolumeName, '');
  if (forceSecurityContext) a.set(A.setSecurityContext, 'true');
  else def(A.setSecurityContext, String(cfg.setSecurityContext));
  def(A.runAsUser, cfg.runAsUser || '100');
  def(A.runAsSameUser, String(cfg.runAsSameUser));
  def(A.runAsGroup, cfg.runAsGroup || '1000');
  def(A.cacheEnable, 'false');
  def(A.cacheListenerPort, '8200');
  def(A.cacheUseAutoAuthToken, 'true');
  def(A.cacheExitOnErr, 'false');
  def(A.injectContainers, (pod.spec?.containers ?? []).map((c) => c.name).join(','));
  def(A.defaultTemplate, cfg.defaultTemplate);
  def(A.templateConfigExitOnRetryFailure, String(cfg.templateConfigExitOnRetryFailure));
  def(A.templateStaticSecretRenderInterval, cfg.templateStaticSecretRenderInterval);
  def(A.templateMaxConnectionsPerHost, String(cfg.templateMaxConnectionsPerHost));
  for (const [name, fallback, what] of [
    [A.authMinBackoff, cfg.authMinBackoff, 'min'],
    [A.authMaxBackoff, cfg.authMaxBackoff, 'max'],
  ] as const) {
    const raw = a.get(name);
    if (raw !== undefined && raw !== '') {
      if (parseGoDuration(raw) === undefined) {
        throw new InjectorError(
          'BAD_DURATION',
          'defaults',
          `error parsing ${what} backoff as duration: invalid value ${shown(raw)} for annotation ${full(name)}: expected a Go duration such as 5s, 1m or 1h30m`,
          name,
        );
      }
    } else if (raw === undefined && fallback !== '') a.set(name, fallback);
  }
  def(A.disableIdleConnections, cfg.disableIdleConnections);
  def(A.disableKeepAlives, cfg.disableKeepAlives);
  def(A.nativeSidecar, String(cfg.nativeSidecar));
  for (const name of [A.jsonPatch, A.initJsonPatch]) {
    if (a.get(name) === '') a.delete(name);
    else decodeJsonPatch(a, name); // a bad patch denies here, before any other parse error (as vault-k8s)
  }
  return a;
}

/** Decodes an RFC 6902 patch annotation (`null` and `[]` mean no change). */
export function decodeJsonPatch(a: Annotations, name: string): Operation[] | undefined {
  const raw = a.get(name);
  if (raw === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    throw new InjectorError(
      'BAD_JSON_PATCH',
      'defaults',
      `error parsing JSON patch for annotation ${full(name)}: ${(err as Error).message}; expected a JSON array of RFC 6902 operations`,
      name,
    );
  }
  if (doc === null) return undefined;
  if (depthExceeds(doc, 32)) {
    throw new InjectorError(
      'BAD_JSON_PATCH',
      'defaults',
      `error parsing JSON patch for annotation ${full(name)}: it is nested more than 32 levels deep`,
      name,
    );
  }
  const valid = Array.isArray(doc) && doc.every((op) => typeof op === 'object' && op !== null && !Array.isArray(op));
  if (!valid) {
    throw new InjectorError(
      'BAD_JSON_PATCH',
      'defaults',
      `error parsing JSON patch for annotation ${full(name)}: expected a JSON array of RFC 6902 operations, got ${shown(raw)}`,
      name,
    );
  }
  return doc as Operation[];
}

/** The per-secret entries, sorted by raw name (spec §1.3). */
export function parseSecrets(a: Annotations): SecretSpec[] {
  const raws: string[] = [];
  for (const [key, value] of a) {
    const prefix = SECRET_ENTRY_PREFIXES.find((p) => key.startsWith(p));
    if (!prefix || value.trim() === '') continue;
    const raw = key.slice(prefix.length);
    if (raw !== '' && !raws.includes(raw)) raws.push(raw);
  }
  raws.sort();
  const globalPreserve = parseGoBool(str(a, A.preserveSecretCase)) ?? false; // errors ignored, as vault-k8s
  const globalMount = str(a, A.secretVolumePath);
  return raws.map((raw) => {
    const own = a.get(`${P.preserveSecretCase}${raw}`);
    const preserve = own === undefined ? globalPreserve : (parseGoBool(own) ?? false);
    const template = str(a, `${P.template}${raw}`);
    return {
      rawName: raw,
      name: preserve ? raw : raw.toLowerCase(),
      path: str(a, `${P.secret}${raw}`),
      template,
      templateFile: template === '' ? str(a, `${P.templateFile}${raw}`) : '',
      mountPath: a.get(`${P.secretVolumePath}${raw}`) ?? globalMount,
      filePathAndName: str(a, `${P.file}${raw}`),
      perms: str(a, `${P.perms}${raw}`),
      command: str(a, `${P.command}${raw}`),
      leftDelimiter: str(a, `${P.leftDelim}${raw}`),
      rightDelimiter: str(a, `${P.rightDelim}${raw}`),
      errorOnMissingKey: readBool(a, `${P.errorOnMissingKey}${raw}`, false),
      engine: templateEngine(a, raw),
    };
  });
}

function templateEngine(a: Annotations, raw: string): TemplateEngine {
  const name = `${P.templateEngine}${raw}`;
  const value = str(a, name).trim().toLowerCase();
  if (value === '') return 'go';
  if ((TEMPLATE_ENGINES as readonly string[]).includes(value)) return value as TemplateEngine;
  throw invalid('BAD_TEMPLATE_ENGINE', 'parse', name, str(a, name), TEMPLATE_ENGINES.join(' or '));
}

/** Where a secret is rendered (spec §4.3): plain concatenation, or a cleaned join with agent-inject-file. */
export function secretDestination(s: SecretSpec): string {
  if (s.filePathAndName === '') return `${s.mountPath}/${s.name}`;
  return posix.join(s.mountPath, s.filePathAndName);
}

function runAsSameUid(pod: Pod): number {
  const fail = (m: string) =>
    new InjectorError('RUN_AS_SAME_USER', 'parse', `${m} (annotation ${full(A.runAsSameUser)})`, A.runAsSameUser);
  const first = pod.spec?.containers?.[0];
  if (!first) throw fail('No containers found in Pod Spec');
  if (!first.securityContext) throw fail('No SecurityContext found for Container 0');
  const uid = first.securityContext.runAsUser;
  if (uid === undefined || uid === null) throw fail("RunAsUser is nil for Container 0's SecurityContext");
  if (uid === 0) throw fail('container not allowed to run as root');
  return uid;
}

function awsSettings(pod: Pod, a: Annotations): { mount: AgentSpec['awsIamTokenMount']; env: EnvVar[] } {
  const containers = pod.spec?.containers ?? [];
  const mount = containers.flatMap((c) => c.volumeMounts ?? []).find((m) => m.mountPath.includes('eks.amazonaws.com'));
  const env: EnvVar[] = [];
  // Fixed order where vault-k8s iterates a Go map (random order): spec §3.4 item 12.
  for (const name of ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_DEFAULT_REGION', 'AWS_REGION']) {
    const found = containers.flatMap((c) => c.env ?? []).find((e) => e.name === name && e.value !== undefined);
    if (found) env.push({ name, value: found.value ?? '' });
  }
  const region = str(a, `${P.authConfig}region`);
  if (region !== '') env.push({ name: 'AWS_REGION', value: region });
  return { mount: mount ? { ...mount } : undefined, env };
}

function splitList(value: string): string[] {
  return value === '' ? [] : value.split(',');
}

/**
 * vault-k8s's `New`: annotations (with defaults) -> AgentSpec, in the spec §3.1 parse order so the
 * same bad pod gets the same first error.
 */
export function parseAgentSpec(pod: Pod, a: Annotations): AgentSpec {
  const serviceAccountToken = findServiceAccountToken(pod, str(a, A.serviceAccountTokenVolumeName));
  const secrets = parseSecrets(a);
  readBool(a, A.inject, false);
  const initFirst = readBool(a, A.initFirst, false);
  const prePopulate = readBool(a, A.prePopulate, true);
  const prePopulateOnly = readBool(a, A.prePopulateOnly, false);
  const revokeOnShutdown = readBool(a, A.revokeOnShutdown, false);
  const graceRaw = str(a, A.revokeGrace);
  const revokeGrace = parseGoUint(graceRaw);
  if (revokeGrace === undefined)
    throw invalid('BAD_UINT', 'parse', A.revokeGrace, graceRaw, 'a whole number of seconds such as 5');
  const tlsSkipVerify = readBool(a, A.tlsSkipVerify, false);
  const runAsUser = readInt(a, A.runAsUser, 100);
  const runAsGroup = readInt(a, A.runAsGroup, 1000);
  const runAsSameUser = readBool(a, A.runAsSameUser, false);
  const uid = runAsSameUser ? runAsSameUid(pod) : runAsUser;

  let shareProcessNamespace: boolean | undefined;
  const shareRaw = a.get(A.shareProcessNamespace);
  if (shareRaw !== undefined) {
    shareProcessNamespace = parseGoBool(shareRaw);
    if (shareProcessNamespace === undefined)
      throw invalid('BAD_BOOL', 'parse', A.shareProcessNamespace, shareRaw, BOOL_HINT);
    if (shareProcessNamespace && pod.spec?.shareProcessNamespace === false) {
      throw new InjectorError(
        'SHARE_PROCESS_NAMESPACE',
        'parse',
        `shareProcessNamespace explicitly disabled on the pod, refusing to enable it (annotation ${full(A.shareProcessNamespace)})`,
        A.shareProcessNamespace,
      );
    }
  }
  const setSecurityContext = readBool(a, A.setSecurityContext, true);
  const cacheEnable = readBool(a, A.cacheEnable, false);
  const cacheExitOnErr = readBool(a, A.cacheExitOnErr, false);
  const templateRaw = str(a, A.defaultTemplate);
  const defaultTemplate = templateRaw.toLowerCase();
  if (defaultTemplate !== 'map' && defaultTemplate !== 'json') {
    throw new InjectorError(
      'BAD_DEFAULT_TEMPLATE',
      'parse',
      `invalid default template type: ${templateRaw.length > 100 ? `${templateRaw.slice(0, 100)}…` : templateRaw} (annotation ${full(A.defaultTemplate)}: expected map or json)`,
      A.defaultTemplate,
    );
  }
  const injectToken = readBool(a, A.injectToken, false);
  const exitOnRetryFailure = readBool(a, A.templateConfigExitOnRetryFailure, true);
  const maxConnectionsPerHost = readInt(a, A.templateMaxConnectionsPerHost, 0);
  let leaseRenewalThreshold = 0;
  const thresholdRaw = a.get(A.templateLeaseRenewalThreshold);
  if (thresholdRaw !== undefined) {
    const v = parseGoFloat(thresholdRaw);
    if (v === undefined) {
      throw invalid('BAD_FLOAT', 'parse', A.templateLeaseRenewalThreshold, thresholdRaw, 'a number such as 0.75');
    }
    leaseRenewalThreshold = v;
  }
  const enableQuit = readBool(a, A.enableQuit, false);
  const autoAuthExitOnErr = readBool(a, A.autoAuthExitOnErr, false);
  const nativeSidecar = readBool(a, A.nativeSidecar, false);

  const authConfig = new Map<string, string>();
  authConfig.set('token_path', posix.join(serviceAccountToken.mountPath, serviceAccountToken.tokenPath));
  for (const [key, value] of a) {
    if (key.startsWith(P.authConfig)) authConfig.set(key.slice(P.authConfig.length).replaceAll('-', '_'), value);
  }
  const role = str(a, A.role);
  if (role !== '') authConfig.set('role', role);
  const sortedAuthConfig = new Map([...authConfig].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  const authType = str(a, A.authType);
  const aws = authType === 'aws' ? awsSettings(pod, a) : { mount: undefined, env: [] };

  return {
    podName: pod.metadata?.name ?? '',
    requestNamespace: str(a, A.requestNamespace),
    image: str(a, A.image),
    address: str(a, A.service),
    proxyAddress: str(a, A.proxyAddress),
    tlsSkipVerify,
    tlsServerName: str(a, A.tlsServerName),
    caCert: str(a, A.caCert),
    caKey: str(a, A.caKey),
    clientCert: str(a, A.clientCert),
    clientKey: str(a, A.clientKey),
    clientMaxRetries: str(a, A.clientMaxRetries),
    clientTimeout: str(a, A.clientTimeout),
    vaultCaCertBytes: '',
    authType,
    authPath: str(a, A.authPath),
    role,
    authConfig: sortedAuthConfig,
    authMinBackoff: str(a, A.authMinBackoff),
    authMaxBackoff: str(a, A.authMaxBackoff),
    autoAuthExitOnErr,
    vaultNamespace: str(a, A.namespace),
    secrets,
    defaultTemplate,
    secretVolumePath: str(a, A.secretVolumePath),
    injectToken,
    prePopulate,
    prePopulateOnly,
    initFirst,
    revokeOnShutdown,
    revokeGrace,
    setSecurityContext,
    runAsUser: uid,
    runAsGroup,
    runAsSameUser,
    shareProcessNamespace,
    resources: { limits: {}, requests: {} },
    logLevel: str(a, A.logLevel),
    logFormat: str(a, A.logFormat),
    goMaxProcs: str(a, A.goMaxProcs),
    cache: {
      enable: cacheEnable,
      listenerPort: str(a, A.cacheListenerPort),
      useAutoAuthToken: a.get(A.cacheUseAutoAuthToken) === '' ? undefined : str(a, A.cacheUseAutoAuthToken),
      exitOnErr: cacheExitOnErr,
    },
    enableQuit,
    injectContainers: splitList(str(a, A.injectContainers)),
    configMap: str(a, A.configMap),
    extraSecret: str(a, A.extraSecret),
    tlsSecret: str(a, A.tlsSecret),
    copyVolumeMountsFrom: str(a, A.copyVolumeMounts),
    serviceAccountToken,
    awsIamTokenMount: aws.mount,
    awsEnv: aws.env,
    templateConfig: {
      exitOnRetryFailure,
      staticSecretRenderInterval: str(a, A.templateStaticSecretRenderInterval),
      maxConnectionsPerHost,
      leaseRenewalThreshold,
    },
    disableIdleConnections: splitList(str(a, A.disableIdleConnections)),
    disableKeepAlives: splitList(str(a, A.disableKeepAlives)),
    telemetry: parseTelemetry(a),
    agentJsonPatch: decodeJsonPatch(a, A.jsonPatch),
    agentInitJsonPatch: decodeJsonPatch(a, A.initJsonPatch),
    nativeSidecar,
  };
}
