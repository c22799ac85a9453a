/**
 * Reference text for every pod annotation the injector reads: default, value format and a one-line
 * description. Data only; docs/annotations.md is generated from it (`npm run docs:annotations`) and a unit
 * test keeps both in step with keys.ts and with the defaults the code really applies.
 *
 * `default` is what applies when the annotation is absent. "injector `-flag`" means the webhook's flag (or its
 * AGENT_INJECT_* variable), followed by that flag's own default.
 */
import type { A, P } from './keys.js';

export type AnnotationSection =
  | 'Injection and lifecycle'
  | 'Secrets and templates'
  | 'Authentication'
  | 'Vault connection and TLS'
  | 'Agent container'
  | 'Security context'
  | 'Cache and listener'
  | 'Template engine settings and connections'
  | 'Telemetry';

export const SECTION_ORDER: readonly AnnotationSection[] = [
  'Injection and lifecycle',
  'Secrets and templates',
  'Authentication',
  'Vault connection and TLS',
  'Agent container',
  'Security context',
  'Cache and listener',
  'Template engine settings and connections',
  'Telemetry',
];

export interface AnnotationDoc {
  readonly section: AnnotationSection;
  /** Markdown: what applies when the annotation is absent. */
  readonly default: string;
  /** Markdown: accepted values and how they are read. */
  readonly format: string;
  /** Markdown, one line. */
  readonly description: string;
  /** True for annotations vault-k8s does not have. */
  readonly ours?: boolean;
}

/** A per-secret (or per-parameter) annotation: the suffix after the prefix names the secret or the parameter. */
export interface PrefixDoc extends AnnotationDoc {
  readonly suffix: '<name>' | '<param>';
}

const inj = (flag: string, value: string) => `injector \`-${flag}\` (\`${value}\`)`;
const BOOL = '`true`/`false` (Go `strconv.ParseBool`: `1`, `t`, `TRUE`, …)';
const QUANTITY = 'Kubernetes quantity; `""` means none';

/** One entry per key of `A` in keys.ts (the compiler insists). */
export const ANNOTATION_DOCS: { readonly [K in keyof typeof A]: AnnotationDoc } = {
  inject: {
    section: 'Injection and lifecycle',
    default: 'no injection',
    format: `${BOOL}; \`""\` is false`,
    description: 'Set to `true` to have the Vault Agent injected into the pod.',
  },
  status: {
    section: 'Injection and lifecycle',
    default: '—',
    format: 'string, written by the injector',
    description: 'The injector sets `injected`; a pod that already carries that value is left alone.',
  },
  prePopulate: {
    section: 'Injection and lifecycle',
    default: '`true`',
    format: BOOL,
    description: 'Add the `vault-agent-init` init container so secrets exist before the app starts.',
  },
  prePopulateOnly: {
    section: 'Injection and lifecycle',
    default: '`false`',
    format: BOOL,
    description: 'Only the init container, no long-running `vault-agent` sidecar (typical for Jobs).',
  },
  initFirst: {
    section: 'Injection and lifecycle',
    default: '`false`',
    format: BOOL,
    description: 'Place `vault-agent-init` before the pod’s other init containers instead of after them.',
  },
  injectContainers: {
    section: 'Injection and lifecycle',
    default: 'every container in `spec.containers`',
    format: 'comma-separated container names, not trimmed; unknown names ignored',
    description: 'Which app containers get the secrets volume mounted (init containers are not listed here).',
  },
  requestNamespace: {
    section: 'Injection and lifecycle',
    default: 'the admission request’s namespace',
    format: 'non-empty string',
    description: 'Namespace of the request; only checked for presence.',
  },
  nativeSidecar: {
    section: 'Injection and lifecycle',
    default: inj('native-sidecar', 'false'),
    format: BOOL,
    description:
      'Run `vault-agent` as a native sidecar (init container with `restartPolicy: Always` and a startup probe that waits for the first render); no separate `vault-agent-init`. Needs Kubernetes 1.29+.',
    ours: true,
  },
  defaultTemplate: {
    section: 'Secrets and templates',
    default: inj('default-template', 'map'),
    format: '`map` or `json` (case-insensitive)',
    description: 'Built-in template for secrets that have no template of their own.',
  },
  secretVolumePath: {
    section: 'Secrets and templates',
    default: '`/vault/secrets`',
    format: 'absolute path',
    description: 'Where the shared `vault-secrets` volume is mounted in the app containers and the agents.',
  },
  preserveSecretCase: {
    section: 'Secrets and templates',
    default: '`false`',
    format: `${BOOL}; an unreadable value counts as false`,
    description: 'Keep the case of the secret name in the file name instead of lower-casing it.',
  },
  injectToken: {
    section: 'Secrets and templates',
    default: '`false`',
    format: BOOL,
    description: 'Also write the agent’s Vault token to `<secret-volume-path>/token`.',
  },
  role: {
    section: 'Authentication',
    default: '—',
    format: 'string',
    description:
      'Vault role for auto-auth; required for the `kubernetes` method unless `auth-config-role` is set or `agent-configmap` is used.',
  },
  authType: {
    section: 'Authentication',
    default: inj('vault-auth-type', 'kubernetes'),
    format: 'auth method type, non-empty',
    description: 'Auto-auth method; `aws` also wires the IRSA web-identity token into the agents.',
  },
  authPath: {
    section: 'Authentication',
    default: inj('vault-auth-path', 'auth/kubernetes'),
    format: 'mount path, non-empty',
    description: 'Mount path of the auth method.',
  },
  authMinBackoff: {
    section: 'Authentication',
    default: 'injector `-auth-min-backoff` (unset)',
    format: 'Go duration (`5s`, `1m30s`); checked at admission',
    description: 'Shortest wait between failed auto-auth attempts.',
  },
  authMaxBackoff: {
    section: 'Authentication',
    default: 'injector `-auth-max-backoff` (unset)',
    format: 'Go duration; checked at admission',
    description: 'Longest wait between failed auto-auth attempts.',
  },
  autoAuthExitOnErr: {
    section: 'Authentication',
    default: '`false`',
    format: BOOL,
    description: 'Make the agent exit instead of retrying when auto-auth fails.',
  },
  serviceAccountTokenVolumeName: {
    section: 'Authentication',
    default: '`""` (the token volume mounted in the first container)',
    format: 'pod volume name',
    description: 'Pod volume holding the service-account token the agent logs in with.',
  },
  namespace: {
    section: 'Authentication',
    default: 'injector `-vault-namespace` (`""`)',
    format: 'Vault namespace, case kept',
    description: 'Vault Enterprise namespace used for auto-auth.',
  },
  service: {
    section: 'Vault connection and TLS',
    default: 'injector `-vault-address`',
    format: 'URL, non-empty',
    description: 'Vault address the agents talk to (also used by the token-revoking preStop hook).',
  },
  proxyAddress: {
    section: 'Vault connection and TLS',
    default: 'injector `-proxy-address` (`""`)',
    format: 'URL',
    description: 'Sets `HTTPS_PROXY` in both agent containers.',
  },
  tlsSkipVerify: {
    section: 'Vault connection and TLS',
    default: '`false`',
    format: BOOL,
    description: 'Do not verify Vault’s TLS certificate (testing only).',
  },
  tlsSecret: {
    section: 'Vault connection and TLS',
    default: '—',
    format: 'Kubernetes Secret name',
    description: 'Secret mounted read-only at `/vault/tls` in both agents, for CA and client certificates.',
  },
  tlsServerName: {
    section: 'Vault connection and TLS',
    default: '—',
    format: 'host name',
    description: 'Server name (SNI) expected in Vault’s certificate.',
  },
  caCert: {
    section: 'Vault connection and TLS',
    default: '—',
    format: 'file path inside the agent',
    description: 'CA certificate file used to verify Vault.',
  },
  caKey: {
    section: 'Vault connection and TLS',
    default: '—',
    format: 'directory path inside the agent',
    description: 'Despite its name, a directory of CA certificates (`ca_path`), as in vault-k8s.',
  },
  clientCert: {
    section: 'Vault connection and TLS',
    default: '—',
    format: 'file path inside the agent',
    description: 'Client certificate presented to Vault.',
  },
  clientKey: {
    section: 'Vault connection and TLS',
    default: '—',
    format: 'file path inside the agent',
    description: 'Private key of the client certificate.',
  },
  clientMaxRetries: {
    section: 'Vault connection and TLS',
    default: '—',
    format: 'integer, passed through unchecked',
    description: 'Sets `VAULT_MAX_RETRIES` for the agent’s Vault client.',
  },
  clientTimeout: {
    section: 'Vault connection and TLS',
    default: '—',
    format: 'duration, passed through unchecked',
    description: 'Sets `VAULT_CLIENT_TIMEOUT` for the agent’s Vault client.',
  },
  image: {
    section: 'Agent container',
    default: inj('vault-image', 'vault-injector/agent:0.1.0'),
    format: 'image reference, non-empty',
    description:
      'Image of both agent containers. Our own `vault-injector/agent` image is started as `vault-injector agent`; any other image is run like Vault.',
  },
  logLevel: {
    section: 'Agent container',
    default: '`info`',
    format: 'log level, passed through unchecked',
    description: 'Agent log level (`VAULT_LOG_LEVEL`); not the injector’s own level.',
  },
  logFormat: {
    section: 'Agent container',
    default: '`standard`',
    format: '`standard` or `json`, passed through unchecked',
    description: 'Agent log format (`VAULT_LOG_FORMAT`).',
  },
  goMaxProcs: {
    section: 'Agent container',
    default: '—',
    format: 'integer, passed through',
    description: 'Sets `GOMAXPROCS` in the agent containers (meaningful for Vault images).',
  },
  revokeOnShutdown: {
    section: 'Agent container',
    default: inj('revoke-on-shutdown', 'false'),
    format: BOOL,
    description: 'Give the sidecar a preStop hook that revokes its own Vault token.',
  },
  revokeGrace: {
    section: 'Agent container',
    default: '`5`',
    format: 'unsigned integer (seconds)',
    description: 'How long the preStop hook waits before revoking the token.',
  },
  configMap: {
    section: 'Agent container',
    default: '—',
    format: 'ConfigMap name',
    description:
      'Use your own agent configuration (`config-init.hcl`, `config.hcl`) mounted at `/vault/configs`; auth and template annotations are then ignored.',
  },
  extraSecret: {
    section: 'Agent container',
    default: '—',
    format: 'Kubernetes Secret name',
    description: 'Secret mounted read-only at `/vault/custom` in both agents.',
  },
  copyVolumeMounts: {
    section: 'Agent container',
    default: '—',
    format: 'container name',
    description: 'Copy that container’s volume mounts (except service-account ones) into both agents.',
  },
  limitsCpu: {
    section: 'Agent container',
    default: inj('cpu-limit', '500m'),
    format: QUANTITY,
    description: 'CPU limit of both agent containers.',
  },
  limitsMem: {
    section: 'Agent container',
    default: inj('memory-limit', '128Mi'),
    format: QUANTITY,
    description: 'Memory limit of both agent containers.',
  },
  limitsEphemeral: {
    section: 'Agent container',
    default: 'injector `-ephemeral-storage-limit` (unset)',
    format: QUANTITY,
    description: 'Ephemeral-storage limit of both agent containers.',
  },
  requestsCpu: {
    section: 'Agent container',
    default: inj('cpu-request', '250m'),
    format: QUANTITY,
    description: 'CPU request of both agent containers.',
  },
  requestsMem: {
    section: 'Agent container',
    default: inj('memory-request', '64Mi'),
    format: QUANTITY,
    description: 'Memory request of both agent containers.',
  },
  requestsEphemeral: {
    section: 'Agent container',
    default: 'injector `-ephemeral-storage-request` (unset)',
    format: QUANTITY,
    description: 'Ephemeral-storage request of both agent containers.',
  },
  jsonPatch: {
    section: 'Agent container',
    default: '—',
    format: 'RFC 6902 JSON Patch (array); `""` ignored',
    description: 'Patch applied to the generated `vault-agent` container.',
  },
  initJsonPatch: {
    section: 'Agent container',
    default: '—',
    format: 'RFC 6902 JSON Patch (array); `""` ignored',
    description: 'Patch applied to the generated `vault-agent-init` container.',
  },
  runAsUser: {
    section: 'Security context',
    default: inj('run-as-user', '100'),
    format: 'integer uid (`""` means 0)',
    description: '`runAsUser` of the agent containers.',
  },
  runAsGroup: {
    section: 'Security context',
    default: inj('run-as-group', '1000'),
    format: 'integer gid',
    description: '`runAsGroup` of the agent containers.',
  },
  runAsSameUser: {
    section: 'Security context',
    default: inj('run-as-same-user', 'false'),
    format: BOOL,
    description: 'Run the agents as the uid of the first app container’s security context (never root).',
  },
  setSecurityContext: {
    section: 'Security context',
    default: inj('set-security-context', 'true'),
    format: BOOL,
    description:
      'Give the agents a restrictive security context; forced on when a run-as annotation is set and the injector has it off.',
  },
  shareProcessNamespace: {
    section: 'Security context',
    default: 'pod left unchanged',
    format: `${BOOL}; \`""\` is false`,
    description: 'Set the pod’s `shareProcessNamespace` (only when the init container is injected).',
  },
  cacheEnable: {
    section: 'Cache and listener',
    default: '`false`',
    format: BOOL,
    description: 'Turn on the agent cache and its local listener.',
  },
  cacheUseAutoAuthToken: {
    section: 'Cache and listener',
    default: '`true`',
    format: '`true`, `false` or `force`, passed as a string',
    description: 'Whether requests through the listener use the agent’s own token.',
  },
  cacheListenerPort: {
    section: 'Cache and listener',
    default: '`8200`',
    format: 'port number, passed through unchecked',
    description: 'Port of the listener on `127.0.0.1`.',
  },
  cacheExitOnErr: {
    section: 'Cache and listener',
    default: '`false`',
    format: BOOL,
    description: 'Exit when the persistent cache cannot be restored.',
  },
  enableQuit: {
    section: 'Cache and listener',
    default: '`false`',
    format: BOOL,
    description:
      'Enable `POST /agent/v1/quit` on the listener (adds a listener if needed) so a Job can stop the agent.',
  },
  templateConfigExitOnRetryFailure: {
    section: 'Template engine settings and connections',
    default: inj('template-config-exit-on-retry-failure', 'true'),
    format: BOOL,
    description: 'Exit the agent when a template still fails after all retries.',
  },
  templateStaticSecretRenderInterval: {
    section: 'Template engine settings and connections',
    default: 'injector `-template-static-secret-render-interval` (unset)',
    format: 'duration, passed through unchecked',
    description: 'How often non-leased (static) secrets are fetched again.',
  },
  templateMaxConnectionsPerHost: {
    section: 'Template engine settings and connections',
    default: 'injector `AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST` (`0`)',
    format: 'integer; `0` leaves the agent default',
    description: 'Upper bound on template connections to Vault.',
  },
  templateLeaseRenewalThreshold: {
    section: 'Template engine settings and connections',
    default: 'agent default (`0.9`)',
    format: 'decimal fraction such as `0.75`; empty is an error',
    description: 'Fraction of a lease’s duration after which the template re-fetches the secret.',
  },
  disableIdleConnections: {
    section: 'Template engine settings and connections',
    default: 'injector `-disable-idle-connections` (unset)',
    format: 'comma list of `auto-auth`, `caching`, `templating`',
    description: 'Agent parts that must not keep idle connections to Vault.',
  },
  disableKeepAlives: {
    section: 'Template engine settings and connections',
    default: 'injector `-disable-keep-alives` (unset)',
    format: 'comma list of `auto-auth`, `caching`, `templating`',
    description: 'Agent parts that must not use HTTP keep-alive with Vault.',
  },
};

/** One entry per key of `P` in keys.ts: annotations whose suffix names a secret or a parameter. */
export const PREFIX_DOCS: { readonly [K in keyof typeof P]: PrefixDoc } = {
  secret: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: '—',
    format: 'Vault path',
    description: 'Render the secret at this path into `<secret-volume-path>/<name>` with the default template.',
  },
  template: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: 'the default template',
    format: 'template text',
    description: 'Template for the file `<name>`; enough on its own to create the file.',
  },
  templateFile: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: '—',
    format: 'file path inside the agent',
    description: 'Template read from a file in the agent container; used when no inline template is given.',
  },
  file: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: '`<name>`',
    format: 'path, placed under the secret mount even when absolute',
    description: 'Output file for `<name>`, relative to its secret volume.',
  },
  perms: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: 'agent default (`0644`)',
    format: 'octal mode such as `0600`',
    description: 'File mode of the rendered file.',
  },
  command: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: '—',
    format: 'command line',
    description: 'Command the agent runs after each render of `<name>`.',
  },
  leftDelim: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: '`{{`',
    format: 'string',
    description: 'Opening delimiter of template actions for `<name>`.',
  },
  rightDelim: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: '`}}`',
    format: 'string',
    description: 'Closing delimiter of template actions for `<name>`.',
  },
  errorOnMissingKey: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: '`false`',
    format: BOOL,
    description: 'Fail the render when the template reads a key the secret does not have.',
  },
  templateEngine: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: '`go`',
    format: '`go` or `handlebars`',
    description:
      'Template language of `<name>`: Go templates as in Vault Agent, or Handlebars (needs the vault-injector agent image).',
    ours: true,
  },
  secretVolumePath: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: 'global `secret-volume-path`',
    format: 'absolute path',
    description: 'Mount path for `<name>` only; each distinct path gets its own in-memory volume.',
  },
  preserveSecretCase: {
    section: 'Secrets and templates',
    suffix: '<name>',
    default: 'global `preserve-secret-case`',
    format: `${BOOL}; an unreadable value counts as false`,
    description: 'Per-secret override of `preserve-secret-case`.',
  },
  authConfig: {
    section: 'Authentication',
    suffix: '<param>',
    default: '—',
    format: 'string; `-` in `<param>` becomes `_`',
    description: 'Extra parameter for the auth method’s config, e.g. `auth-config-token-path`.',
  },
  telemetry: {
    section: 'Telemetry',
    suffix: '<param>',
    default: '—',
    format: 'JSON value or plain string; `-` in `<param>` becomes `_`',
    description:
      'Agent `telemetry` setting such as `agent-telemetry-prometheus_retention_time`; a value of the wrong type drops the whole block.',
  },
};
