/**
 * Differential test against the real hashicorp/vault-k8s v1.7.6: the same AdmissionReviews (same uid)
 * go to both webhooks over TLS, each JSON patch is applied to the request pod, and the resulting pods
 * are compared. Normalised: VAULT_CONFIG (decoded, compared as JSON, `template` sorted by destination),
 * and the agent containers' command/args and revoke preStop hook when the agent image is our own (which runs
 * another program).
 * Nothing else: the agent image is compared as is, since both webhooks get the same -vault-image.
 *
 * Request pods are made real by the API server: each corpus pod is created with dryRun=All (no webhook
 * is registered), so it carries the defaults and the kube-api-access projected volume real pods have,
 * which also keeps vault-k8s's volume-replacing patch quirk (spec §3.8) out of the way except in the
 * one case that sends a volume-less pod on purpose.
 *
 * Every difference is either absent or listed in KNOWN_DIFFERENCES with its reason, and each listed
 * case must still differ (so a fix shows up as a failing entry to remove). docs/compatibility.md lists
 * every entry too; a test checks both ways.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { isOwnAgentImage } from '../webhook/src/core/containers.js';
import { type Cluster, startCluster } from './bed/cluster.js';
import { httpCall, jsonOf } from './bed/http.js';
import { vaultK8sMissing } from './bed/reference.js';
import { REPO_ROOT } from './bed/stack.js';
import { startVaultK8s, type VaultK8sProcess } from './bed/vault-k8s.js';
import { startWebhookProcess, type WebhookProcess } from './bed/webhook-process.js';
import { bedBinaries } from './hooks.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
type Annotations = Readonly<Record<string, string>>;

interface Case {
  readonly name: string;
  /** Keys without a `/` get the `vault.hashicorp.com/` prefix. */
  readonly annotations: Annotations;
  readonly namespace?: string;
  /** Merged over the default spec (one container `app`). */
  readonly spec?: JsonObject;
  /** What vault-k8s does with it: a guard that the case tests what its name says. */
  readonly expect: Outcome['kind'];
  /** A different expectation under some injector setups. */
  readonly expectIn?: Readonly<Record<string, Outcome['kind']>>;
  /** The AdmissionReview version sent (v1 when absent); the answer must use the same. */
  readonly reviewVersion?: 'v1' | 'v1beta1';
  /** Sent as written instead of through the API server's dry run (for pods the API server would change). */
  readonly raw?: boolean;
  /** Pod status (raw requests only; the API server sets its own). */
  readonly status?: JsonObject;
  /** The request object exactly (raw requests only), instead of a pod built from the fields above. */
  readonly object?: JsonObject;
}

// ---------------------------------------------------------------- injector settings (both webhooks)

interface InjectorSetup {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

const SETUPS: readonly InjectorSetup[] = [
  {
    name: 'defaults',
    // vault-k8s's default image, given explicitly so both webhooks surely agree
    args: ['-vault-address=http://vault.vault.svc:8200', '-vault-image=hashicorp/vault:2.0.4'],
    env: {},
  },
  {
    // the Helm values of seed 002 (external Vault, auth/aks, agent 1.14.0) plus every other injector-wide setting
    name: 'flags',
    args: [
      '-vault-address=https://vault.mydomain.com:8200',
      '-vault-auth-path=auth/aks',
      '-vault-image=hashicorp/vault:1.14.0',
      '-vault-namespace=team-a',
      '-proxy-address=http://proxy.internal:3128',
      '-revoke-on-shutdown=true',
      '-default-template=json',
      '-template-config-exit-on-retry-failure=false',
      '-template-static-secret-render-interval=30s',
      '-auth-min-backoff=2s',
      '-auth-max-backoff=30s',
      '-disable-idle-connections=auto-auth,templating',
      '-disable-keep-alives=caching',
      '-cpu-request=100m',
      '-memory-request=32Mi',
      '-ephemeral-storage-request=64Mi',
      '-cpu-limit=1',
      '-memory-limit=256Mi',
      '-ephemeral-storage-limit=1Gi',
      '-run-as-user=2000',
      '-run-as-group=3000',
      '-vault-cacert-bytes=-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----',
    ],
    env: {
      AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST: '5',
      AGENT_INJECT_TEMPLATE_LEASE_RENEWAL_THRESHOLD: '0.5', // parsed but never applied by vault-k8s (spec §9.5)
    },
  },
  {
    // security contexts off unless a pod asks (the forced-true rule of spec §1.1), AppRole by default
    name: 'approle-no-security-context',
    args: [
      '-vault-address=https://vault.example.com',
      '-vault-image=hashicorp/vault:2.0.4',
      '-set-security-context=false',
      '-vault-auth-type=approle',
      '-vault-auth-path=auth/approle',
      '-run-as-user=',
      '-run-as-group=',
    ],
    env: { AGENT_INJECT_LOG_FORMAT: 'json' },
  },
];

// ---------------------------------------------------------------- the corpus

const NS = 'app';
const SA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const inject = (extra: Annotations = {}): Annotations => ({ 'agent-inject': 'true', role: 'app', ...extra });
const app = (extra: JsonObject = {}): JsonObject => ({
  name: 'app',
  image: 'busybox:1.36',
  command: ['sh', '-c', 'sleep 3600'],
  ...extra,
});
const initC = (name: string): JsonObject => ({ name, image: 'busybox:1.36', command: ['true'] });
const dataVolume: JsonObject = { name: 'data', emptyDir: {} };
const dataMount: JsonObject = { name: 'data', mountPath: '/data' };

const SEED_CASES: Case[] = [
  {
    // seed 002: the AKS walkthrough's busybox (template reconstructed; the article lost its braces)
    name: 'seed 002 AKS busybox with a template and log-level debug',
    namespace: 'busybox',
    spec: { serviceAccountName: 'busybox', containers: [{ name: 'busybox', image: 'busybox' }] },
    annotations: {
      'agent-inject': 'true',
      'agent-inject-secret-devops_token': 'secret/devops',
      'agent-inject-template-devops_token':
        '{{- with secret "secret/devops" -}}token value stored on path secret/devops is {{ .Data.data.token }}{{- end }}',
      role: 'busybox',
      'log-level': 'debug',
    },
    expect: 'inject',
  },
  {
    // seed 003: the HashiCups static KV credentials, read through the injector instead of VSO
    name: 'seed 003 static KV credentials as an env file',
    namespace: 'static-exampleapp',
    spec: { containers: [app({ name: 'exampleapp', image: 'hashicorp/hashicups-exampleapp:latest' })] },
    annotations: {
      'agent-inject': 'true',
      role: 'vault-role-static-exampleapp',
      'agent-inject-secret-creds': 'static/data/exampleapp/creds',
      'agent-inject-template-creds':
        '{{- with secret "static/data/exampleapp/creds" -}}\nexport USERNAME="{{ .Data.data.username }}"\nexport PASSWORD="{{ .Data.data.password }}"\n{{- end }}',
      'agent-inject-file-creds': 'creds.env',
    },
    expect: 'inject',
  },
  {
    // seed 003: dynamic PostgreSQL credentials, rendered as JSON, revoked when the pod goes
    name: 'seed 003 dynamic database credentials, json template, revoke on shutdown',
    namespace: 'dynamic-exampleapp',
    spec: { containers: [app({ name: 'exampleapp', image: 'hashicorp/hashicups-exampleapp:latest' })] },
    annotations: {
      'agent-inject': 'true',
      role: 'vault-role-dynamic-exampleapp',
      'agent-inject-secret-db': 'database/creds/vault-role-dynamic-exampleapp',
      'agent-inject-default-template': 'json',
      'agent-revoke-on-shutdown': 'true',
      'agent-revoke-grace': '10',
    },
    expect: 'inject',
  },
  {
    name: 'spec 3.9 worked example',
    annotations: { 'agent-inject': 'true', role: 'myapp', 'agent-inject-secret-db': 'database/creds/db' },
    expect: 'inject',
  },
];

const FEATURE_CASES: Case[] = [
  {
    name: 'secret with an inline template',
    annotations: inject({
      'agent-inject-secret-db': 'db/creds/app',
      'agent-inject-template-db': '{{ with secret "db/creds/app" }}{{ .Data.username }}{{ end }}',
    }),
    expect: 'inject',
  },
  {
    name: 'secret with a template file',
    annotations: inject({
      'agent-inject-secret-cfg': 'secret/cfg',
      'agent-inject-template-file-cfg': '/vault/custom/cfg.tmpl',
    }),
    expect: 'inject',
  },
  {
    name: 'template only, no secret annotation',
    annotations: inject({ 'agent-inject-template-app.env': 'FOO={{ with secret "kv/foo" }}{{ .Data.foo }}{{ end }}' }),
    expect: 'inject',
  },
  {
    name: 'template file only',
    annotations: inject({ 'agent-inject-template-file-conf': '/vault/custom/conf.tmpl' }),
    expect: 'inject',
  },
  {
    name: 'file, perms and command',
    annotations: inject({
      'agent-inject-secret-cert': 'pki/issue/app',
      'agent-inject-file-cert': 'tls/cert.pem',
      'agent-inject-perms-cert': '0400',
      'agent-inject-command-cert': 'kill -HUP 1',
    }),
    expect: 'inject',
  },
  {
    name: 'absolute and dot-dot file names',
    annotations: inject({
      'agent-inject-secret-a': 'kv/a',
      'agent-inject-file-a': '/etc/a.conf',
      'agent-inject-secret-b': 'kv/b',
      'agent-inject-file-b': '../b.conf',
    }),
    expect: 'inject',
  },
  {
    name: 'custom delimiters',
    annotations: inject({
      'agent-inject-secret-helm': 'kv/helm',
      'agent-inject-template-helm': '[[ with secret "kv/helm" ]][[ .Data.data.v ]][[ end ]]',
      'agent-template-left-delim-helm': '[[',
      'agent-template-right-delim-helm': ']]',
    }),
    expect: 'inject',
  },
  {
    name: 'custom delimiters on a default template',
    annotations: inject({
      'agent-inject-secret-x': 'kv/x',
      'agent-template-left-delim-x': '<%',
      'agent-template-right-delim-x': '%>',
    }),
    expect: 'inject',
  },
  {
    name: 'error on missing key',
    annotations: inject({
      'agent-inject-secret-strict': 'kv/strict',
      'error-on-missing-key-strict': 'true',
      'agent-inject-secret-lax': 'kv/lax',
      'error-on-missing-key-lax': 'false',
    }),
    expect: 'inject',
  },
  {
    name: 'json default template',
    annotations: inject({ 'agent-inject-secret-j': 'kv/j', 'agent-inject-default-template': 'JSON' }),
    expect: 'inject',
  },
  {
    name: 'preserve secret case globally',
    annotations: inject({
      'agent-inject-secret-MyCreds': 'kv/my',
      'agent-inject-secret-API_KEY': 'kv/api',
      'preserve-secret-case': 'true',
    }),
    expect: 'inject',
  },
  {
    name: 'preserve secret case per secret; bad value means false',
    annotations: inject({
      'agent-inject-secret-Keep': 'kv/k',
      'preserve-secret-case-Keep': 'true',
      'agent-inject-secret-Lower': 'kv/l',
      'preserve-secret-case-Lower': 'yes',
    }),
    expect: 'inject',
  },
  {
    name: 'upper-case suffixes collide after lower-casing',
    annotations: inject({ 'agent-inject-secret-FOO': 'kv/a', 'agent-inject-secret-foo': 'kv/b' }),
    expect: 'inject',
  },
  {
    name: 'one per-secret volume path',
    annotations: inject({
      'agent-inject-secret-env': 'kv/env',
      'secret-volume-path-env': '/etc/container_environment',
      'agent-inject-secret-db': 'db/creds',
    }),
    expect: 'inject',
  },
  {
    name: 'two per-secret volume paths',
    annotations: inject({
      'agent-inject-secret-a': 'kv/a',
      'secret-volume-path-a': '/etc/a',
      'agent-inject-secret-b': 'kv/b',
      'secret-volume-path-b': '/etc/b',
    }),
    expect: 'inject',
  },
  {
    name: 'global secret volume path with a trailing slash',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'secret-volume-path': '/var/secrets/' }),
    expect: 'inject',
  },
  {
    name: 'init first with existing init containers',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'agent-init-first': 'true' }),
    spec: { initContainers: [initC('migrate'), initC('seed')] },
    expect: 'inject',
  },
  {
    name: 'init first without init containers',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'agent-init-first': 'true' }),
    expect: 'inject',
  },
  {
    name: 'init containers get the secrets after the agent',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds' }),
    spec: { initContainers: [initC('migrate')] },
    expect: 'inject',
  },
  {
    name: 'no pre-populate: sidecar only',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'agent-pre-populate': 'false' }),
    spec: { initContainers: [initC('migrate')] },
    expect: 'inject',
  },
  {
    name: 'pre-populate only: init only (a Job)',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'agent-pre-populate-only': 'true' }),
    spec: { restartPolicy: 'Never' },
    expect: 'inject',
  },
  {
    name: 'both agents disabled still patches volumes and status',
    annotations: inject({
      'agent-inject-secret-db': 'db/creds',
      'agent-pre-populate': 'false',
      'agent-pre-populate-only': 'true',
    }),
    expect: 'inject',
  },
  {
    name: 'persistent cache',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'agent-cache-enable': 'true' }),
    expect: 'inject',
  },
  {
    name: 'cache without init: no persistence',
    annotations: inject({ 'agent-cache-enable': 'true', 'agent-pre-populate': 'false' }),
    expect: 'inject',
  },
  {
    name: 'cache options',
    annotations: inject({
      'agent-cache-enable': 'true',
      'agent-cache-exit-on-err': 'true',
      'agent-cache-listener-port': '8300',
      'agent-cache-use-auto-auth-token': 'force',
    }),
    expect: 'inject',
  },
  { name: 'enable quit without cache', annotations: inject({ 'agent-enable-quit': 'true' }), expect: 'inject' },
  {
    name: 'enable quit with cache',
    annotations: inject({
      'agent-enable-quit': 'true',
      'agent-cache-enable': 'true',
      'agent-cache-use-auto-auth-token': '',
    }),
    expect: 'inject',
  },
  {
    name: 'inject token',
    annotations: inject({ 'agent-inject-token': 'true', 'secret-volume-path': '/srv/secrets' }),
    expect: 'inject',
  },
  {
    name: 'run as user and group',
    annotations: inject({ 'agent-run-as-user': '1001', 'agent-run-as-group': '2002' }),
    expect: 'inject',
  },
  {
    name: 'run as same user',
    annotations: inject({ 'agent-run-as-same-user': 'true' }),
    spec: { containers: [app({ securityContext: { runAsUser: 1234 } })] },
    expect: 'inject',
  },
  { name: 'run as user empty means root', annotations: inject({ 'agent-run-as-user': '' }), expect: 'inject' },
  {
    name: 'run as group 0 with set-security-context forced',
    annotations: inject({ 'agent-run-as-group': '0', 'agent-run-as-user': '100' }),
    expect: 'inject',
  },
  { name: 'no security context', annotations: inject({ 'agent-set-security-context': 'false' }), expect: 'inject' },
  {
    name: 'share process namespace',
    annotations: inject({ 'agent-share-process-namespace': 'true' }),
    expect: 'inject',
  },
  {
    name: 'share process namespace false overrides the pod',
    annotations: inject({ 'agent-share-process-namespace': 'false' }),
    spec: { shareProcessNamespace: true },
    expect: 'inject',
  },
  {
    name: 'share process namespace ignored without the init agent',
    annotations: inject({ 'agent-share-process-namespace': 'true', 'agent-pre-populate': 'false' }),
    expect: 'inject',
  },
  {
    name: 'extra secret',
    annotations: inject({
      'agent-extra-secret': 'agent-extra',
      'agent-inject-template-file-x': '/vault/custom/x.tmpl',
    }),
    expect: 'inject',
  },
  {
    name: 'tls secret and TLS settings',
    annotations: inject({
      'tls-secret': 'vault-tls',
      'ca-cert': '/vault/tls/ca.crt',
      'ca-key': '/vault/tls/capath',
      'client-cert': '/vault/tls/client.crt',
      'client-key': '/vault/tls/client.key',
      'tls-server-name': 'vault.internal',
      'tls-skip-verify': 'false',
    }),
    expect: 'inject',
  },
  {
    name: 'tls skip verify',
    annotations: inject({ 'tls-skip-verify': 'true', service: 'https://vault.example.com:8200' }),
    expect: 'inject',
  },
  {
    name: 'agent config map',
    annotations: {
      'agent-inject': 'true',
      'agent-configmap': 'agent-config',
      'tls-skip-verify': 'true',
      'ca-cert': '/vault/tls/ca.crt',
    },
    expect: 'inject',
  },
  {
    name: 'agent config map with a per-secret path',
    annotations: {
      'agent-inject': 'true',
      'agent-configmap': 'agent-config',
      'agent-inject-secret-db': 'db/creds',
      'secret-volume-path-db': '/etc/db',
    },
    expect: 'inject',
  },
  {
    name: 'copy volume mounts from the app',
    annotations: inject({ 'agent-copy-volume-mounts': 'app' }),
    spec: { containers: [app({ volumeMounts: [dataMount] })], volumes: [dataVolume] },
    expect: 'inject',
  },
  {
    name: 'copy volume mounts from an init container',
    annotations: inject({ 'agent-copy-volume-mounts': 'fetch' }),
    spec: { initContainers: [{ ...initC('fetch'), volumeMounts: [dataMount] }], volumes: [dataVolume] },
    expect: 'inject',
  },
  {
    name: 'resources',
    annotations: inject({
      'agent-limits-cpu': '2000m',
      'agent-limits-mem': '1Gi',
      'agent-limits-ephemeral': '2Gi',
      'agent-requests-cpu': '0.5',
      'agent-requests-mem': '512M',
      'agent-requests-ephemeral': '1e3',
    }),
    expect: 'inject',
  },
  {
    name: 'resources removed by empty values',
    annotations: inject({
      'agent-limits-cpu': '',
      'agent-limits-mem': '',
      'agent-requests-cpu': '',
      'agent-requests-mem': '',
    }),
    expect: 'inject',
  },
  {
    name: 'telemetry',
    annotations: inject({
      'agent-telemetry-prometheus_retention_time': '30s',
      'agent-telemetry-disable_hostname': 'true',
      'agent-telemetry-prefix_filter': '["+vault.agent", "-vault.runtime"]',
      'agent-telemetry-maximum-gauge-cardinality': '100',
      'agent-telemetry-unknown_key': 'x',
    }),
    expect: 'inject',
  },
  {
    name: 'telemetry with a wrongly typed value drops the block',
    annotations: inject({
      'agent-telemetry-prometheus_retention_time': '30s',
      'agent-telemetry-circonus_check_id': '123',
    }),
    expect: 'inject',
  },
  {
    name: 'template config',
    annotations: inject({
      'template-config-exit-on-retry-failure': 'false',
      'template-static-secret-render-interval': '5m',
      'template-max-connections-per-host': '20',
      'template-lease-renewal-threshold': '0.75',
    }),
    expect: 'inject',
  },
  {
    name: 'auth config, type, path, backoff, exit on error',
    annotations: inject({
      'auth-type': 'jwt',
      'auth-path': 'auth/jwt-k8s',
      'auth-config-role': 'ignored',
      'auth-config-token-path': '/var/run/secrets/tokens/vault',
      'auth-config-remove-jwt-after-reading': 'false',
      'auth-min-backoff': '1s',
      'auth-max-backoff': '1m',
      'agent-auto-auth-exit-on-err': 'true',
    }),
    expect: 'inject',
  },
  {
    name: 'auth-config-role instead of role',
    annotations: { 'agent-inject': 'true', 'auth-config-role': 'from-config' },
    expect: 'inject',
  },
  { name: 'vault enterprise namespace', annotations: inject({ namespace: 'Tenant-1/Team' }), expect: 'inject' },
  { name: 'proxy address', annotations: inject({ 'proxy-address': 'http://squid.proxy:3128' }), expect: 'inject' },
  {
    name: 'json patches add a seccomp profile (restricted PSS workaround)',
    annotations: inject({
      'agent-json-patch': '[{"op":"add","path":"/securityContext/seccompProfile","value":{"type":"RuntimeDefault"}}]',
      'agent-init-json-patch':
        '[{"op":"add","path":"/securityContext/seccompProfile","value":{"type":"RuntimeDefault"}},{"op":"replace","path":"/resources/limits/memory","value":"64Mi"}]',
    }),
    expect: 'inject',
    // without a security context there is no /securityContext to add to
    expectIn: { 'approle-no-security-context': 'deny' },
  },
  {
    name: 'json patch null and empty are no-ops',
    annotations: inject({ 'agent-json-patch': 'null', 'agent-init-json-patch': '' }),
    expect: 'inject',
  },
  {
    name: 'inject into a subset of containers',
    annotations: inject({ 'agent-inject-containers': 'web' }),
    spec: { containers: [app({ name: 'web' }), app({ name: 'worker' })] },
    expect: 'inject',
  },
  {
    name: 'inject containers list is not trimmed',
    annotations: inject({ 'agent-inject-containers': 'web, worker' }),
    spec: { containers: [app({ name: 'web' }), app({ name: 'worker' })] },
    expect: 'inject',
  },
  {
    name: 'revoke on shutdown with TLS flags',
    annotations: inject({
      'agent-revoke-on-shutdown': 'true',
      'agent-revoke-grace': '01',
      'ca-cert': '/ca.pem',
      'client-cert': '/c.pem',
      'client-key': '/k.pem',
    }),
    expect: 'inject',
  },
  { name: 'revoke on shutdown off', annotations: inject({ 'agent-revoke-on-shutdown': 'false' }), expect: 'inject' },
  {
    name: 'agent process settings',
    annotations: inject({
      'log-level': 'trace',
      'log-format': 'json',
      'go-max-procs': '2',
      'client-timeout': '30s',
      'client-max-retries': '5',
    }),
    expect: 'inject',
  },
  { name: 'log level explicitly empty', annotations: inject({ 'log-level': '', 'log-format': '' }), expect: 'inject' },
  {
    name: 'disable idle connections and keep-alives',
    annotations: inject({
      'agent-disable-idle-connections': 'auto-auth,caching,templating',
      'agent-disable-keep-alives': 'templating',
    }),
    expect: 'inject',
  },
  {
    name: 'service account token volume by name',
    annotations: inject({ 'agent-service-account-token-volume-name': 'vault-token' }),
    spec: {
      volumes: [
        {
          name: 'vault-token',
          projected: {
            sources: [{ serviceAccountToken: { path: 'vault', audience: 'vault', expirationSeconds: 3600 } }],
          },
        },
      ],
    },
    expect: 'inject',
  },
  {
    name: 'service account token volume mounted by the app',
    annotations: inject({ 'agent-service-account-token-volume-name': 'vault-token' }),
    spec: {
      containers: [
        app({ volumeMounts: [{ name: 'vault-token', mountPath: '/var/run/secrets/vault', readOnly: true }] }),
      ],
      volumes: [
        { name: 'vault-token', projected: { sources: [{ serviceAccountToken: { path: 'jwt', audience: 'vault' } }] } },
      ],
    },
    expect: 'inject',
  },
  {
    name: 'aws auth with an IRSA token mount',
    annotations: inject({ 'auth-type': 'aws', 'auth-config-type': 'iam', 'auth-config-region': 'eu-west-1' }),
    spec: {
      containers: [
        app({
          env: [{ name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::123456789012:role/app' }],
          volumeMounts: [
            { name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true },
          ],
        }),
      ],
      volumes: [
        {
          name: 'aws-iam-token',
          projected: { sources: [{ serviceAccountToken: { path: 'token', audience: 'sts.amazonaws.com' } }] },
        },
      ],
    },
    expect: 'inject',
  },
  {
    name: 'custom agent image',
    annotations: inject({ 'agent-image': 'registry.internal/openbao/openbao:2.1.0' }),
    expect: 'inject',
  },
  {
    name: 'our own agent image',
    annotations: inject({
      'agent-inject-secret-db': 'db/creds',
      'agent-image': 'ghcr.io/example/vault-injector/agent:0.1.0',
    }),
    expect: 'inject',
  },
  {
    name: 'native sidecar (our extension)',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'agent-native-sidecar': 'true' }),
    expect: 'inject',
  },
  {
    name: 'status update does not block injection',
    annotations: inject({ 'agent-inject-status': 'update' }),
    expect: 'inject',
  },
  { name: 'already injected is skipped', annotations: inject({ 'agent-inject-status': 'injected' }), expect: 'skip' },
  { name: 'agent-inject false is skipped', annotations: { 'agent-inject': 'false', role: 'app' }, expect: 'skip' },
  { name: 'agent-inject empty is skipped', annotations: { 'agent-inject': '' }, expect: 'skip' },
  { name: 'no annotations is skipped', annotations: {}, expect: 'skip' },
  {
    name: 'annotations of other tools only are skipped',
    annotations: { 'prometheus.io/scrape': 'true', 'vault.hashicorp.com/role': 'app' },
    expect: 'skip',
  },
  {
    // built by hand: through the API server a pod always has a volume, so this quirk needs a raw request
    name: 'pod without volumes (raw request)',
    raw: true,
    annotations: inject({ 'agent-inject-secret-db': 'db/creds' }),
    spec: { containers: [app({ volumeMounts: [{ name: 'sa-token', mountPath: SA_PATH, readOnly: true }] })] },
    expect: 'inject',
  },
];

/** Edge cases from spec §1 and §9: parsing corners, quirks, canonical forms. */
const EDGE_CASES: Case[] = [
  {
    name: 'edge: boolean spellings',
    annotations: inject({
      'agent-inject': 'T',
      'agent-pre-populate': '1',
      'agent-pre-populate-only': 'FALSE',
      'agent-inject-token': 'True',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: empty booleans mean false',
    annotations: inject({ 'agent-pre-populate': '', 'agent-cache-enable': '', 'tls-skip-verify': '' }),
    expect: 'inject',
  },
  {
    name: 'edge: share process namespace empty writes false',
    annotations: inject({ 'agent-share-process-namespace': '' }),
    expect: 'inject',
  },
  {
    name: 'edge: blank secret value creates no entry',
    annotations: inject({ 'agent-inject-secret-blank': '   ', 'agent-inject-secret-real': 'kv/real' }),
    expect: 'inject',
  },
  {
    name: 'edge: whitespace template on an existing secret is used as is',
    annotations: inject({ 'agent-inject-secret-ws': 'kv/ws', 'agent-inject-template-ws': '  ' }),
    expect: 'inject',
  },
  {
    name: 'edge: suffix-less template-file is a template named file',
    annotations: inject({ 'agent-inject-template-file': '{{ with secret "kv/f" }}{{ .Data }}{{ end }}' }),
    expect: 'inject',
  },
  {
    name: 'edge: inline template for a secret named file-config',
    annotations: inject({
      'agent-inject-secret-file-config': 'kv/fc',
      'agent-inject-template-file-config': '{{ .Data }}',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: secret annotation without a dash creates nothing',
    annotations: inject({ 'agent-inject-secret': 'kv/none' }),
    expect: 'inject',
  },
  {
    name: 'edge: per-secret path equal to the global one',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'secret-volume-path-db': '/vault/secrets' }),
    expect: 'inject',
  },
  {
    name: 'edge: per-secret path with a trailing slash',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'secret-volume-path-db': '/etc/db/' }),
    expect: 'inject',
  },
  {
    name: 'edge: per-secret path of an unknown secret is ignored',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'secret-volume-path-ghost': '/etc/ghost' }),
    expect: 'inject',
  },
  {
    name: 'edge: inject token with a per-secret path',
    annotations: inject({
      'agent-inject-token': 'true',
      'agent-inject-secret-db': 'db/creds',
      'secret-volume-path-db': '/etc/db',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: json default template with custom delimiters',
    annotations: inject({
      'agent-inject-secret-j': 'kv/j',
      'agent-inject-default-template': 'json',
      'agent-template-left-delim-j': '((',
      'agent-template-right-delim-j': '))',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: quoted secret path is inserted verbatim',
    annotations: inject({ 'agent-inject-secret-q': 'kv/"quoted" <&>' }),
    expect: 'inject',
  },
  {
    name: 'edge: canonical quantities',
    annotations: inject({
      'agent-limits-cpu': '0.0001',
      'agent-limits-mem': '1.5Gi',
      'agent-requests-cpu': '1e-3',
      'agent-requests-mem': '2048Ki',
      'agent-limits-ephemeral': '1000k',
      'agent-requests-ephemeral': '0.5Gi',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: more canonical quantities',
    annotations: inject({
      'agent-limits-cpu': '2.5',
      'agent-limits-mem': '100e6',
      'agent-requests-cpu': '1000000m',
      'agent-requests-mem': '1536Ki',
      'agent-limits-ephemeral': '+1Ti',
      'agent-requests-ephemeral': '.5',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: telemetry numbers, floats and lists',
    annotations: inject({
      'agent-telemetry-maximum_gauge_cardinality': '1.5',
      'agent-telemetry-num_lease_metrics_buckets': '10',
      'agent-telemetry-dogstatsd_tags': '["a:b"]',
      'agent-telemetry-usage_gauge_period': '10m',
      'agent-telemetry-enable_hostname_label': 'false',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: telemetry string field given a number drops the block',
    annotations: inject({ 'agent-telemetry-prometheus_retention_time': '30' }),
    expect: 'inject',
  },
  {
    name: 'edge: telemetry bool field given a string drops the block',
    annotations: inject({ 'agent-telemetry-disable_hostname': 'yes', 'agent-telemetry-statsd_address': 'statsd:8125' }),
    expect: 'inject',
  },
  {
    name: 'edge: json patch with test, copy and move',
    annotations: inject({
      'agent-json-patch':
        '[{"op":"test","path":"/name","value":"vault-agent"},{"op":"copy","from":"/resources/limits","path":"/resources/requests"},{"op":"move","from":"/lifecycle","path":"/x-lifecycle"},{"op":"remove","path":"/x-lifecycle"}]',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: enable quit with a custom listener port and no cache',
    annotations: inject({ 'agent-enable-quit': 'true', 'agent-cache-listener-port': '9000' }),
    expect: 'inject',
  },
  {
    name: 'edge: config map does not need a role',
    annotations: { 'agent-inject': 'true', 'agent-configmap': 'cfg', 'agent-pre-populate-only': 'true' },
    expect: 'inject',
  },
  {
    name: 'edge: approle auth needs no role',
    annotations: {
      'agent-inject': 'true',
      'auth-type': 'approle',
      'auth-path': 'auth/approle',
      'auth-config-role-id-file-path': '/vault/custom/role-id',
    },
    expect: 'inject',
  },
  {
    name: 'edge: service and auth path overridden per pod',
    annotations: inject({ service: 'https://other-vault:8200', 'auth-path': 'auth/other' }),
    expect: 'inject',
  },
  {
    name: 'edge: preserve case globally but not for one secret',
    annotations: inject({
      'preserve-secret-case': 'true',
      'agent-inject-secret-Keep': 'kv/k',
      'agent-inject-secret-Drop': 'kv/d',
      'preserve-secret-case-Drop': 'false',
    }),
    expect: 'inject',
  },
  {
    name: 'edge: explicit no security context wins over run-as annotations',
    annotations: inject({ 'agent-set-security-context': 'false', 'agent-run-as-user': '1000' }),
    expect: 'inject',
  },
  {
    name: 'edge: negative and signed user ids',
    annotations: inject({ 'agent-run-as-user': '+1000', 'agent-run-as-group': '-1' }),
    expect: 'inject',
  },
  {
    name: 'edge: copy volume mounts skips service-account paths in any case',
    annotations: inject({ 'agent-copy-volume-mounts': 'app' }),
    spec: {
      containers: [
        app({
          volumeMounts: [
            dataMount,
            { name: 'other-token', mountPath: '/var/run/ServiceAccount/other', readOnly: true },
          ],
        }),
      ],
      volumes: [
        dataVolume,
        { name: 'other-token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      ],
    },
    expect: 'inject',
  },
  {
    name: 'edge: copy volume mounts from a container that does not exist',
    annotations: inject({ 'agent-copy-volume-mounts': 'ghost' }),
    expect: 'inject',
  },
  {
    name: 'edge: service-account mount found in a later container',
    annotations: inject(),
    spec: {
      automountServiceAccountToken: false,
      containers: [app(), app({ name: 'second', volumeMounts: [{ name: 'tok', mountPath: SA_PATH, readOnly: true }] })],
      volumes: [
        { name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
      ],
    },
    expect: 'inject',
  },
  {
    name: 'edge: an unrelated serviceaccount path is taken first (known vault-k8s bug)',
    annotations: inject(),
    spec: {
      containers: [app({ volumeMounts: [{ name: 'data', mountPath: '/opt/app/serviceaccount/data' }] })],
      volumes: [dataVolume],
    },
    expect: 'inject',
  },
  {
    name: 'edge: aws auth with two AWS variables in two containers',
    annotations: inject({ 'auth-type': 'aws' }),
    spec: {
      containers: [
        app({
          env: [
            { name: 'AWS_REGION', value: 'eu-west-1' },
            { name: 'AWS_DEFAULT_REGION', value: 'eu-west-1' },
          ],
        }),
        app({
          name: 'other',
          env: [
            { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::1:role/x' },
            { name: 'AWS_REGION', value: 'us-east-1' },
          ],
        }),
      ],
    },
    expect: 'inject',
  },
  {
    name: 'edge: init first when an init container is already called vault-agent-init',
    annotations: inject({ 'agent-init-first': 'true', 'agent-inject-status': 'update' }),
    spec: { initContainers: [initC('vault-agent-init'), initC('migrate')] },
    expect: 'inject',
  },
  {
    name: 'edge: pod already running is skipped (raw request)',
    raw: true,
    annotations: inject(),
    spec: {
      volumes: [{ name: 'kube-api-access-x', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
    },
    status: { phase: 'Running' },
    expect: 'skip',
  },
  {
    name: 'edge: auth-config with an empty parameter name (raw request)',
    raw: true,
    annotations: inject({ 'auth-config-': 'x', 'agent-inject-secret-': 'kv/nameless' }),
    spec: {
      containers: [app({ volumeMounts: [{ name: 'kube-api-access-x', mountPath: SA_PATH, readOnly: true }] })],
      volumes: [{ name: 'kube-api-access-x', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
    },
    expect: 'inject',
  },
  {
    name: 'edge: a v1beta1 AdmissionReview is answered in v1beta1',
    reviewVersion: 'v1beta1',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds' }),
    expect: 'inject',
  },
  {
    name: 'edge: init first keeps fields vault-k8s does not know (raw request)',
    raw: true,
    annotations: inject({ 'agent-init-first': 'true' }),
    spec: {
      initContainers: [{ ...initC('migrate'), futureField: { enabled: true } }],
      containers: [app({ volumeMounts: [{ name: 'kube-api-access-x', mountPath: SA_PATH, readOnly: true }] })],
      volumes: [{ name: 'kube-api-access-x', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
    },
    expect: 'inject',
  },
  {
    name: 'edge: many secrets',
    annotations: inject(
      Object.fromEntries(
        Array.from({ length: 14 }, (_, i) => [
          [`agent-inject-secret-s${i}`, `kv/data/s${i}`],
          ...(i % 3 === 0 ? [[`agent-inject-file-s${i}`, `dir${i}/file`]] : []),
          ...(i % 4 === 1
            ? [[`agent-inject-template-s${i}`, `{{ with secret "kv/data/s${i}" }}{{ .Data.data }}{{ end }}`]]
            : []),
        ]).flat(),
      ),
    ),
    expect: 'inject',
  },
];

/** Parser corners: numbers, durations, floats, telemetry decoding, empty values. */
const PARSER_CASES: Case[] = [
  {
    name: 'parse: lease renewal threshold out of range',
    annotations: inject({ 'template-lease-renewal-threshold': '1e400' }),
    expect: 'deny',
  },
  {
    name: 'parse: lease renewal threshold underflows',
    annotations: inject({ 'template-lease-renewal-threshold': '1e-400' }),
    expect: 'inject',
  },
  {
    name: 'parse: max connections at int64 max',
    annotations: inject({ 'template-max-connections-per-host': '9223372036854775807' }),
    expect: 'inject',
  },
  {
    name: 'parse: user id above 2^53',
    annotations: inject({ 'agent-run-as-user': '9007199254740993', 'agent-run-as-group': '-9223372036854775808' }),
    expect: 'inject',
  },
  {
    name: 'parse: revoke grace above 2^53',
    annotations: inject({ 'agent-revoke-on-shutdown': 'true', 'agent-revoke-grace': '9007199254740993' }),
    expect: 'inject',
  },
  {
    name: 'parse: telemetry integer above 2^53',
    annotations: inject({ 'agent-telemetry-num_lease_metrics_buckets': '9007199254740993' }),
    expect: 'inject',
  },
  {
    name: 'parse: huge quantities',
    annotations: inject({
      'agent-limits-cpu': '99999999999999999999',
      'agent-limits-mem': '123456789012345678901234567890',
      'agent-requests-cpu': '9223372036854775807m',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: quantities that round',
    annotations: inject({
      'agent-limits-cpu': '1.0001',
      'agent-requests-cpu': '0.5m',
      'agent-limits-mem': '1.1Ki',
      'agent-requests-mem': '0.1',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: large quantities',
    annotations: inject({
      'agent-limits-mem': '8E',
      'agent-requests-mem': '1.5Pi',
      'agent-limits-cpu': '64',
      'agent-requests-cpu': '1000',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: telemetry keys match case-insensitively',
    annotations: inject({
      'agent-telemetry-Disable_Hostname': 'true',
      'agent-telemetry-STATSD_ADDRESS': 'statsd:8125',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: telemetry list given a plain string',
    annotations: inject({
      'agent-telemetry-prefix_filter': 'vault.agent',
      'agent-telemetry-statsd_address': 'statsd:8125',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: telemetry int given a JSON string',
    annotations: inject({ 'agent-telemetry-maximum_gauge_cardinality': '"100"' }),
    expect: 'inject',
  },
  {
    name: 'parse: telemetry with only zero values',
    annotations: inject({ 'agent-telemetry-disable_hostname': 'false', 'agent-telemetry-usage_gauge_period': 'null' }),
    expect: 'inject',
  },
  {
    name: 'parse: telemetry numbers in other spellings',
    annotations: inject({
      'agent-telemetry-maximum_gauge_cardinality': '1e2',
      'agent-telemetry-num_lease_metrics_buckets': '-3',
      'agent-telemetry-lease_metrics_epsilon': '1h',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: auth-config keys keep their case',
    annotations: inject({ 'auth-config-Role': 'upper', 'auth-config-token_path': '/t', 'auth-config-a-b-c': 'd' }),
    expect: 'inject',
  },
  {
    name: 'parse: empty role with auth-config-role',
    annotations: { 'agent-inject': 'true', role: '', 'auth-config-role': 'from-config' },
    expect: 'inject',
  },
  {
    name: 'parse: empty inject-containers list',
    annotations: inject({ 'agent-inject-containers': '' }),
    expect: 'inject',
  },
  {
    name: 'parse: inject-containers names an init container',
    annotations: inject({ 'agent-inject-containers': 'setup,app' }),
    spec: { initContainers: [initC('setup')] },
    expect: 'inject',
  },
  {
    name: 'parse: revoke grace zero and huge',
    annotations: inject({ 'agent-revoke-on-shutdown': 'true', 'agent-revoke-grace': '18446744073709551615' }),
    expect: 'inject',
  },
  {
    name: 'parse: negative max connections',
    annotations: inject({ 'template-max-connections-per-host': '-1' }),
    expect: 'inject',
  },
  {
    name: 'parse: float spellings of the lease renewal threshold',
    annotations: inject({ 'template-lease-renewal-threshold': '0x1p-2' }),
    expect: 'inject',
  },
  {
    name: 'parse: lease renewal threshold .5',
    annotations: inject({ 'template-lease-renewal-threshold': '.5' }),
    expect: 'inject',
  },
  {
    name: 'parse: lease renewal threshold NaN',
    annotations: inject({ 'template-lease-renewal-threshold': 'NaN' }),
    expect: 'deny',
  },
  {
    name: 'parse: lease renewal threshold Inf',
    annotations: inject({ 'template-lease-renewal-threshold': '+Inf' }),
    expect: 'deny',
  },
  {
    name: 'parse: durations in other spellings',
    annotations: inject({ 'auth-min-backoff': '1.5h', 'auth-max-backoff': '1h2m3s4ms5us6ns' }),
    expect: 'inject',
  },
  {
    name: 'parse: negative and micro durations',
    annotations: inject({ 'auth-min-backoff': '-1s', 'auth-max-backoff': '300µs' }),
    expect: 'inject',
  },
  {
    name: 'parse: zero and empty durations',
    annotations: inject({ 'auth-min-backoff': '0', 'auth-max-backoff': '' }),
    expect: 'inject',
  },
  {
    name: 'parse: default template in upper case',
    annotations: inject({ 'agent-inject-secret-m': 'kv/m', 'agent-inject-default-template': 'Map' }),
    expect: 'inject',
  },
  {
    name: 'parse: cache token and port edge values',
    annotations: inject({
      'agent-cache-enable': 'true',
      'agent-cache-use-auto-auth-token': 'false',
      'agent-cache-listener-port': '',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: empty global secret volume path',
    annotations: inject({ 'agent-inject-secret-db': 'db/creds', 'secret-volume-path': '' }),
    expect: 'inject',
  },
  {
    name: 'parse: empty file name and odd perms',
    annotations: inject({
      'agent-inject-secret-db': 'db/creds',
      'agent-inject-file-db': '',
      'agent-inject-perms-db': '777',
      'agent-inject-command-db': 'echo "it\'s done" > /tmp/x',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: inline template wins over a template file',
    annotations: inject({ 'agent-inject-template-both': 'inline', 'agent-inject-template-file-both': '/file.tmpl' }),
    expect: 'inject',
  },
  {
    name: 'parse: explicitly empty proxy and namespace',
    annotations: inject({ 'proxy-address': '', namespace: '' }),
    expect: 'inject',
  },
  {
    name: 'parse: pre-populate only with cache and quit',
    annotations: inject({
      'agent-pre-populate-only': 'true',
      'agent-cache-enable': 'true',
      'agent-enable-quit': 'true',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: config map with TLS settings and revoke',
    annotations: {
      'agent-inject': 'true',
      'agent-configmap': 'cfg',
      'tls-server-name': 'vault.internal',
      'ca-key': '/capath',
      'client-cert': '/c.pem',
      'client-key': '/k.pem',
      'agent-revoke-on-shutdown': 'true',
      'agent-inject-token': 'true',
    },
    expect: 'inject',
  },
  {
    name: 'parse: agent image by digest',
    annotations: inject({
      'agent-image': 'hashicorp/vault@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    }),
    expect: 'inject',
  },
  {
    name: 'parse: named token volume with several sources',
    annotations: inject({ 'agent-service-account-token-volume-name': 'multi' }),
    spec: {
      volumes: [
        {
          name: 'multi',
          projected: {
            sources: [
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { serviceAccountToken: { path: 'first', audience: 'a' } },
              { serviceAccountToken: { path: 'second', audience: 'b' } },
            ],
          },
        },
      ],
    },
    expect: 'inject',
  },
  {
    name: 'parse: run-as-user overflows int64',
    annotations: inject({ 'agent-run-as-user': '9223372036854775808' }),
    expect: 'deny',
  },
  {
    name: 'parse: revoke grace overflows uint64',
    annotations: inject({ 'agent-revoke-grace': '18446744073709551616' }),
    expect: 'deny',
  },
  {
    name: 'parse: empty default template',
    annotations: inject({ 'agent-inject-default-template': '' }),
    expect: 'deny',
  },
  {
    name: 'parse: max connections with a plus sign and spaces',
    annotations: inject({ 'template-max-connections-per-host': ' 5' }),
    expect: 'deny',
  },
];

const DENIAL_CASES: Case[] = [
  { name: 'deny: agent-inject is not a boolean', annotations: { 'agent-inject': 'yes', role: 'app' }, expect: 'deny' },
  { name: 'deny: system namespace', namespace: 'kube-system', annotations: inject(), expect: 'deny' },
  { name: 'deny: min backoff is not a duration', annotations: inject({ 'auth-min-backoff': '5' }), expect: 'deny' },
  {
    name: 'deny: max backoff is not a duration',
    annotations: inject({ 'auth-max-backoff': '1 minute' }),
    expect: 'deny',
  },
  { name: 'deny: json patch is not JSON', annotations: inject({ 'agent-json-patch': '{not json' }), expect: 'deny' },
  {
    name: 'deny: init json patch is not a patch',
    annotations: inject({ 'agent-init-json-patch': '{"op":"add"}' }),
    expect: 'deny',
  },
  {
    name: 'deny: json patch does not apply',
    annotations: inject({ 'agent-json-patch': '[{"op":"remove","path":"/nonexistent"}]' }),
    expect: 'deny',
  },
  { name: 'deny: pre-populate is not a boolean', annotations: inject({ 'agent-pre-populate': 'yes' }), expect: 'deny' },
  { name: 'deny: init-first is not a boolean', annotations: inject({ 'agent-init-first': 'tRuE' }), expect: 'deny' },
  { name: 'deny: revoke grace is negative', annotations: inject({ 'agent-revoke-grace': '-1' }), expect: 'deny' },
  { name: 'deny: run-as-user is a name', annotations: inject({ 'agent-run-as-user': 'root' }), expect: 'deny' },
  {
    name: 'deny: run as same user without a security context',
    annotations: inject({ 'agent-run-as-same-user': 'true' }),
    expect: 'deny',
  },
  {
    name: 'deny: run as same user as root',
    annotations: inject({ 'agent-run-as-same-user': 'true' }),
    spec: { containers: [app({ securityContext: { runAsUser: 0 } })] },
    expect: 'deny',
  },
  {
    name: 'deny: share process namespace disabled on the pod',
    annotations: inject({ 'agent-share-process-namespace': 'true' }),
    spec: { shareProcessNamespace: false },
    expect: 'deny',
  },
  {
    name: 'deny: share process namespace is not a boolean',
    annotations: inject({ 'agent-share-process-namespace': 'maybe' }),
    expect: 'deny',
  },
  {
    name: 'deny: unknown default template',
    annotations: inject({ 'agent-inject-default-template': 'xml' }),
    expect: 'deny',
  },
  {
    name: 'deny: error-on-missing-key is not a boolean',
    annotations: inject({ 'agent-inject-secret-x': 'kv/x', 'error-on-missing-key-x': 'sure' }),
    expect: 'deny',
  },
  {
    name: 'deny: max connections is not an integer',
    annotations: inject({ 'template-max-connections-per-host': 'ten' }),
    expect: 'deny',
  },
  {
    name: 'deny: lease renewal threshold is empty',
    annotations: inject({ 'template-lease-renewal-threshold': '' }),
    expect: 'deny',
  },
  { name: 'deny: cache enable is not a boolean', annotations: inject({ 'agent-cache-enable': 'on' }), expect: 'deny' },
  {
    name: 'deny: no role',
    annotations: { 'agent-inject': 'true', 'agent-inject-secret-db': 'db/creds' },
    expect: 'deny',
    expectIn: { 'approle-no-security-context': 'inject' }, // only kubernetes auth needs a role
  },
  {
    name: 'deny: request object is not a pod (raw request)',
    raw: true,
    annotations: {},
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'broken', annotations: { 'vault.hashicorp.com/agent-inject': 'true' } },
      spec: { containers: 'not-a-list' },
    },
    expect: 'deny',
  },
  {
    name: 'deny: an annotation value is a number (raw request)',
    raw: true,
    annotations: {},
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'numeric',
        annotations: { 'vault.hashicorp.com/agent-inject': 'true', 'vault.hashicorp.com/agent-revoke-grace': 5 },
      },
      spec: { containers: [app()] },
    },
    expect: 'deny',
  },
  { name: 'deny: empty agent image', annotations: inject({ 'agent-image': '' }), expect: 'deny' },
  { name: 'deny: empty vault address', annotations: inject({ service: '' }), expect: 'deny' },
  {
    name: 'deny: memory limit with a lower-case suffix',
    annotations: inject({ 'agent-limits-mem': '128mi' }),
    expect: 'deny',
  },
  {
    name: 'deny: cpu request is not a quantity',
    annotations: inject({ 'agent-requests-cpu': 'half' }),
    expect: 'deny',
  },
  {
    name: 'deny: named token volume does not exist',
    annotations: inject({ 'agent-service-account-token-volume-name': 'nope' }),
    expect: 'deny',
  },
  {
    name: 'deny: named token volume is not projected',
    annotations: inject({ 'agent-service-account-token-volume-name': 'data' }),
    spec: { containers: [app({ volumeMounts: [dataMount] })], volumes: [dataVolume] },
    expect: 'deny',
  },
  {
    name: 'deny: no service account token mount',
    annotations: inject(),
    spec: { automountServiceAccountToken: false },
    expect: 'deny',
  },
];

/** A small seeded PRNG (mulberry32), so the generated corpus is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PodFeature {
  readonly name: string;
  readonly annotations: Annotations;
  readonly spec?: JsonObject;
}

const POD_FEATURES: readonly PodFeature[] = [
  { name: 'preserve-case', annotations: { 'preserve-secret-case': 'true' } },
  { name: 'init-first', annotations: { 'agent-init-first': 'true' }, spec: { initContainers: [initC('setup')] } },
  { name: 'pre-populate-only', annotations: { 'agent-pre-populate-only': 'true' } },
  { name: 'no-pre-populate', annotations: { 'agent-pre-populate': 'false' } },
  { name: 'cache', annotations: { 'agent-cache-enable': 'true' } },
  { name: 'quit', annotations: { 'agent-enable-quit': 'true' } },
  { name: 'token', annotations: { 'agent-inject-token': 'true' } },
  { name: 'volume-path', annotations: { 'secret-volume-path': '/var/secrets' } },
  { name: 'run-as', annotations: { 'agent-run-as-user': '1001', 'agent-run-as-group': '1001' } },
  { name: 'no-sec-ctx', annotations: { 'agent-set-security-context': 'false' } },
  { name: 'share-pid', annotations: { 'agent-share-process-namespace': 'true' } },
  { name: 'extra-secret', annotations: { 'agent-extra-secret': 'extra' } },
  { name: 'tls', annotations: { 'tls-secret': 'vault-tls', 'ca-cert': '/vault/tls/ca.crt' } },
  { name: 'resources', annotations: { 'agent-limits-cpu': '2', 'agent-requests-mem': '100Mi' } },
  { name: 'json-default', annotations: { 'agent-inject-default-template': 'json' } },
  { name: 'render-interval', annotations: { 'template-static-secret-render-interval': '1m' } },
  { name: 'auth-config', annotations: { 'auth-config-audience': 'vault', 'auth-config-token-path': '/tok' } },
  { name: 'namespace', annotations: { namespace: 'tenant-1' } },
  {
    name: 'copy-mounts',
    annotations: { 'agent-copy-volume-mounts': 'app' },
    spec: { containers: [app({ volumeMounts: [dataMount] })], volumes: [dataVolume] },
  },
  { name: 'telemetry', annotations: { 'agent-telemetry-statsd_address': 'statsd:8125' } },
];

const SECRET_BASES = ['db', 'Api-Key', 'config.json', 'creds', 'TLS_cert', 'app-env'] as const;

/** Combinations of per-secret and pod-level annotations (at most one per-secret path: see KNOWN_DIFFERENCES). */
function generatedCases(count: number, seed: number): Case[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const annotations: Record<string, string> = { ...inject() };
    let spec: JsonObject = {};
    const summary: string[] = [];
    let customPath = false;
    const secrets = 1 + Math.floor(rnd() * 3);
    for (let s = 0; s < secrets; s++) {
      const n = `${pick(SECRET_BASES)}${s}`;
      const parts: string[] = [];
      const kind = pick(['secret', 'template', 'template-only', 'template-file', 'template-file-only'] as const);
      if (kind === 'secret' || kind === 'template' || kind === 'template-file')
        annotations[`agent-inject-secret-${n}`] = `kv/data/${n.toLowerCase()}`;
      if (kind === 'template' || kind === 'template-only')
        annotations[`agent-inject-template-${n}`] =
          `{{ with secret "kv/data/${n.toLowerCase()}" }}{{ range $k, $v := .Data.data }}{{ $k }}={{ $v }}\n{{ end }}{{ end }}`;
      if (kind === 'template-file' || kind === 'template-file-only')
        annotations[`agent-inject-template-file-${n}`] = `/vault/custom/${n}.tmpl`;
      parts.push(kind);
      if (rnd() < 0.35) {
        annotations[`agent-inject-file-${n}`] = pick(['app.env', 'nested/dir/config.json', '/abs/path.txt']);
        parts.push('file');
      }
      if (rnd() < 0.3) {
        annotations[`agent-inject-perms-${n}`] = pick(['0400', '0600', '0644']);
        parts.push('perms');
      }
      if (rnd() < 0.25) {
        annotations[`agent-inject-command-${n}`] = pick(['kill -HUP 1', 'sh -c "touch /tmp/reloaded"']);
        parts.push('command');
      }
      if (rnd() < 0.2) {
        const [l, r] = pick([
          ['[[', ']]'],
          ['<%', '%>'],
        ] as const);
        annotations[`agent-template-left-delim-${n}`] = l;
        annotations[`agent-template-right-delim-${n}`] = r;
        parts.push('delims');
      }
      if (rnd() < 0.2) {
        annotations[`error-on-missing-key-${n}`] = 'true';
        parts.push('strict');
      }
      if (rnd() < 0.2) {
        annotations[`preserve-secret-case-${n}`] = pick(['true', 'false']);
        parts.push('case');
      }
      if (!customPath && rnd() < 0.2) {
        annotations[`secret-volume-path-${n}`] = '/etc/secrets';
        customPath = true;
        parts.push('path');
      }
      summary.push(`${n}(${parts.join(',')})`);
    }
    const features = new Set<PodFeature>();
    const wanted = 1 + Math.floor(rnd() * 3);
    for (let tries = 0; features.size < wanted && tries < 20; tries++) features.add(pick(POD_FEATURES));
    for (const f of features) {
      Object.assign(annotations, f.annotations);
      if (f.spec) spec = { ...spec, ...f.spec };
    }
    out.push({
      name: `generated ${String(i).padStart(2, '0')}: ${summary.join(' ')} + ${[...features].map((f) => f.name).join(',')}`,
      annotations,
      spec,
      expect: 'inject',
    });
  }
  return out;
}

const CORPUS: readonly Case[] = [
  ...SEED_CASES,
  ...FEATURE_CASES,
  ...generatedCases(24, 20260806),
  ...EDGE_CASES,
  ...PARSER_CASES,
  ...DENIAL_CASES,
];

// ---------------------------------------------------------------- known differences

interface KnownDifference {
  /** Why the outputs differ; the same text is in docs/compatibility.md. */
  readonly reason: string;
  /** JSON-pointer prefixes (into the resulting pod) that may differ; `outcome` = allowed vs denied. */
  readonly paths: readonly string[];
  /** Only under these setups (all when absent). */
  readonly setups?: readonly string[];
  /** vault-k8s's output is random here (Go map order), so the difference shows on some runs only. */
  readonly sometimes?: boolean;
}

/** Case name -> the difference it shows. Keep in step with docs/compatibility.md (checked below). */
const KNOWN_DIFFERENCES: Readonly<Record<string, KnownDifference>> = {
  'two per-secret volume paths': {
    reason:
      'vault-k8s numbers vault-secrets-custom-<i> in Go map order, so which path gets which volume changes from request to request; we number them in sorted secret-name order (spec §9.1)',
    paths: ['/spec/containers/*/volumeMounts/*/mountPath', '/spec/initContainers/*/volumeMounts/*/mountPath'],
    sometimes: true,
  },
  'edge: aws auth with two AWS variables in two containers': {
    reason:
      'vault-k8s copies the AWS_* variables in Go map order, which changes from request to request; we copy them in a fixed order (spec §3.4, §9.1)',
    paths: ['/spec/containers/*/env', '/spec/initContainers/*/env'],
    sometimes: true,
  },
  'native sidecar (our extension)': {
    reason:
      'agent-native-sidecar is our annotation (vault-k8s ignores it): vault-agent becomes an init container with restartPolicy Always and a startup probe, and no vault-agent-init is added',
    paths: ['/spec/containers', '/spec/initContainers', '/spec/volumes'],
  },
  'pod without volumes (raw request)': {
    reason:
      "vault-k8s's patch starts each volume group with `add /spec/volumes [..]` when the request pod has no volumes, so each group replaces the one before and only the last survives (spec §3.8); our patch is a diff and keeps them all. The API server always adds the service-account volume, so real pods never show this",
    paths: ['/spec/volumes'],
  },
  'edge: init first keeps fields vault-k8s does not know (raw request)': {
    reason:
      'in init-first mode vault-k8s removes /spec/initContainers and adds the original init containers back re-encoded through its Go types, which drops fields its k8s.io/api does not know and adds `resources: {}`; ours leaves them as they came (the API server fills `resources` itself)',
    paths: ['/spec/initContainers/1'],
  },
  'deny: request object is not a pod (raw request)': {
    reason:
      "both deny; vault-k8s's message is Go's JSON decoding error, ours names the field (`request.object is not a valid Pod: spec.containers must be an array`)",
    paths: ['message'],
  },
  'deny: an annotation value is a number (raw request)': {
    reason: "both deny; vault-k8s gives Go's JSON decoding error, ours names the annotation that is not a string",
    paths: ['message'],
  },

  'parse: max connections at int64 max': {
    reason:
      'int-parse annotations take the whole int64 range in vault-k8s (strconv.ParseInt); ours refuses values beyond ±(2^53-1), the exact range of JSON numbers in JavaScript, with a message naming the annotation',
    paths: ['outcome'],
  },
  'parse: user id above 2^53': {
    reason:
      'agent-run-as-user/-group take the whole int64 range in vault-k8s; ours refuses values beyond ±(2^53-1) (Kubernetes itself only accepts UIDs up to 2^31-1, so such pods never start either way)',
    paths: ['outcome'],
  },
  'parse: revoke grace above 2^53': {
    reason:
      'agent-revoke-grace takes the whole uint64 range in vault-k8s (strconv.ParseUint); ours refuses grace periods above 2^53-1 seconds (285 million years)',
    paths: ['outcome'],
  },
  'parse: revoke grace zero and huge': {
    reason: 'same as above, at the uint64 maximum 18446744073709551615',
    paths: ['outcome'],
  },
};

// ---------------------------------------------------------------- comparing

const PREFIX = 'vault.hashicorp.com/';
const key = (k: string) => (k.includes('/') ? k : `${PREFIX}${k}`);
const AGENT_NAMES = new Set(['vault-agent', 'vault-agent-init']);
/** vault-k8s's denial prefixes (spec §3.1): ours must start with the same one. */
const DENY_PREFIXES = [
  'error checking if should inject agent: ',
  'error with request namespace: ',
  'error adding default annotations: ',
  'error creating new agent sidecar: ',
  'error validating agent configuration: ',
  'error creating patch for agent: ',
] as const;

function podOf(c: Case, index: number): JsonObject {
  if (c.object) return structuredClone(c.object);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `diff-${String(index).padStart(3, '0')}`,
      namespace: c.namespace ?? NS,
      labels: { app: 'differential' },
      annotations: Object.fromEntries(Object.entries(c.annotations).map(([k, v]) => [key(k), v])),
    },
    spec: { containers: [app()], ...c.spec },
    ...(c.status ? { status: c.status } : {}),
  };
}

type Outcome =
  | { readonly kind: 'deny'; readonly message: string }
  | { readonly kind: 'skip'; readonly pod: Json }
  | { readonly kind: 'inject'; readonly pod: Json; readonly ops: number };

async function admit(
  url: string,
  ca: string,
  review: string,
  expected: { uid: string; apiVersion: string },
  request: Json,
): Promise<Outcome> {
  const res = await httpCall({
    url,
    ca,
    method: 'POST',
    body: review,
    headers: { 'content-type': 'application/json' },
    timeoutMs: 10_000,
  });
  assert.equal(res.status, 200, `HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  const body = jsonOf<{
    apiVersion: string;
    kind: string;
    response: { uid: string; allowed: boolean; patch?: string; patchType?: string; status?: { message?: string } };
  }>(res);
  assert.equal(body.apiVersion, expected.apiVersion);
  assert.equal(body.kind, 'AdmissionReview');
  assert.equal(body.response.uid, expected.uid);
  if (!body.response.allowed) return { kind: 'deny', message: body.response.status?.message ?? '' };
  if (!body.response.patch) return { kind: 'skip', pod: request };
  assert.equal(body.response.patchType, 'JSONPatch');
  const ops = JSON.parse(Buffer.from(body.response.patch, 'base64').toString('utf8')) as Operation[];
  const pod = fastJsonPatch.applyPatch(structuredClone(request), ops, true, false).newDocument as Json;
  return { kind: 'inject', pod, ops: ops.length };
}

function decodeConfig(value: string): Json {
  try {
    const config = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as JsonObject;
    const t = config.template;
    if (Array.isArray(t)) {
      const dest = (x: Json) => (x && typeof x === 'object' && !Array.isArray(x) ? String(x.destination ?? '') : '');
      config.template = [...t].sort(
        (a, b) => dest(a).localeCompare(dest(b)) || JSON.stringify(a).localeCompare(JSON.stringify(b)),
      );
    }
    return config;
  } catch {
    return value; // not base64 JSON: compared as the raw string
  }
}

/** The permitted normalisation, applied to both sides alike. */
function normalise(pod: Json): Json {
  const out = structuredClone(pod) as JsonObject;
  const spec = out.spec as JsonObject | undefined;
  for (const list of [spec?.containers, spec?.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list as JsonObject[]) {
      if (!AGENT_NAMES.has(String(c.name))) continue;
      if (isOwnAgentImage(String(c.image ?? ''))) {
        c.command = '<agent program>';
        c.args = '<agent program>';
        const lc = c.lifecycle as JsonObject | undefined;
        if (lc?.preStop) lc.preStop = '<agent program>';
      }
      for (const e of (c.env ?? []) as JsonObject[]) {
        if (e.name === 'VAULT_CONFIG' && typeof e.value === 'string') e.value = decodeConfig(e.value);
      }
    }
  }
  return out;
}

interface Difference {
  readonly path: string;
  readonly theirs: Json | undefined;
  readonly ours: Json | undefined;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function differences(
  theirs: Json | undefined,
  ours: Json | undefined,
  path = '',
  out: Difference[] = [],
): Difference[] {
  if (isDeepStrictEqual(theirs, ours)) return out;
  if (Array.isArray(theirs) && Array.isArray(ours)) {
    for (let i = 0; i < Math.max(theirs.length, ours.length); i++) differences(theirs[i], ours[i], `${path}/${i}`, out);
  } else if (isObject(theirs) && isObject(ours)) {
    for (const k of [...new Set([...Object.keys(theirs), ...Object.keys(ours)])].sort()) {
      differences(theirs[k], ours[k], `${path}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`, out);
    }
  } else {
    out.push({ path: path || '/', theirs, ours });
  }
  return out;
}

function compare(theirs: Outcome, ours: Outcome): Difference[] {
  if (theirs.kind !== ours.kind) {
    const show = (o: Outcome) => (o.kind === 'deny' ? `deny: ${o.message}` : o.kind);
    return [{ path: 'outcome', theirs: show(theirs), ours: show(ours) }];
  }
  if (theirs.kind === 'deny' && ours.kind === 'deny') {
    const prefix = DENY_PREFIXES.find((p) => theirs.message.startsWith(p));
    const same = prefix ? ours.message.startsWith(prefix) : ours.message === theirs.message;
    return same ? [] : [{ path: 'message', theirs: theirs.message, ours: ours.message }];
  }
  if (theirs.kind === 'deny' || ours.kind === 'deny') return []; // unreachable: kinds are equal
  return differences(normalise(theirs.pod), normalise(ours.pod));
}

/** Whether a KNOWN_DIFFERENCES path (a JSON-pointer prefix, `*` = any one segment) covers `path`. */
function covers(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return want.length <= got.length && want.every((seg, i) => seg === '*' || seg === got[i]);
}

const show = (v: Json | undefined) => {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 240 ? `${s.slice(0, 240)}…` : s;
};
const describeDiffs = (ds: readonly Difference[]) =>
  ds.map((d) => `  ${d.path}\n    vault-k8s: ${show(d.theirs)}\n    ours:      ${show(d.ours)}`).join('\n');

// ---------------------------------------------------------------- the suite

describe('differential: vault-injector against vault-k8s v1.7.6 (same AdmissionReviews over TLS)', () => {
  let cluster: Cluster;
  const theirs = new Map<string, VaultK8sProcess>();
  const ours = new Map<string, WebhookProcess>();
  const tally = new Map<string, { same: number; known: number; total: number }>();

  before(async function () {
    this.timeout(180_000);
    const bins = bedBinaries();
    const reference = bins.vaultK8s;
    if (!reference) {
      process.stdout.write(`      skipped: ${vaultK8sMissing()}\n`);
      this.skip();
    }
    cluster = await startCluster({ etcd: bins.etcd, kubeApiserver: bins.kubeApiserver });
    for (const ns of new Set([NS, 'kube-system', ...CORPUS.map((c) => c.namespace ?? NS)])) {
      await cluster.admin.ensureNamespace(ns);
    }
    await cluster.admin.ensureServiceAccount('busybox', 'busybox');
    for (const s of SETUPS) {
      theirs.set(
        s.name,
        await startVaultK8s({ cluster, binary: reference, args: s.args, env: s.env, namespace: 'vault-k8s' }),
      );
      ours.set(s.name, await startWebhookProcess({ tls: 'files', args: s.args, env: { ...s.env } }));
    }
  });

  after(async function () {
    this.timeout(60_000);
    for (const w of ours.values()) await w.stop();
    for (const v of theirs.values()) await v.stop();
    await cluster?.stop();
    const lines = [...tally].map(
      ([setup, t]) => `${setup}: ${t.total} cases, ${t.same} identical, ${t.known} known differences`,
    );
    if (lines.length) process.stdout.write(`      differential summary: ${lines.join('; ')}\n`);
  });

  it('000 the corpus has at least 50 pods and every known difference names a corpus case', () => {
    assert.ok(CORPUS.length >= 50, `only ${CORPUS.length} cases`);
    const names = new Set(CORPUS.map((c) => c.name));
    assert.equal(names.size, CORPUS.length, 'case names are unique');
    assert.deepEqual(
      Object.keys(KNOWN_DIFFERENCES).filter((n) => !names.has(n)),
      [],
    );
  });

  it('001 docs/compatibility.md lists every known difference, and names no case that is not one', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'compatibility.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]);
    assert.deepEqual(
      Object.keys(KNOWN_DIFFERENCES).filter((n) => !listed.includes(n)),
      [],
      'missing from docs/compatibility.md',
    );
    assert.deepEqual(
      listed.filter((n) => n !== undefined && !(n in KNOWN_DIFFERENCES)),
      [],
      'listed in docs/compatibility.md but not a known difference',
    );
  });

  // The HTTP layer, below the AdmissionReview: each row records both answers; where they differ,
  // docs/compatibility.md says why.
  const HTTP_CASES: readonly {
    name: string;
    contentType?: string;
    body: string;
    theirs: number | 'dropped';
    ours: number;
  }[] = [
    { name: 'text/plain', contentType: 'text/plain', body: '{}', theirs: 400, ours: 400 },
    {
      name: 'application/json with charset',
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: 'h', namespace: NS, object: { metadata: { name: 'plain' }, spec: { containers: [app()] } } },
      }),
      theirs: 400,
      ours: 200,
    },
    { name: 'empty body', contentType: 'application/json', body: '', theirs: 400, ours: 400 },
    { name: 'not JSON', contentType: 'application/json', body: '{', theirs: 500, ours: 400 },
    {
      name: 'no request in the review',
      contentType: 'application/json',
      body: '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}',
      theirs: 'dropped',
      ours: 400,
    },
  ];
  for (const [i, h] of HTTP_CASES.entries()) {
    it(`H${i + 1} http: ${h.name}: vault-k8s ${h.theirs}, ours ${h.ours}`, async () => {
      const answer = async (url: string, ca: string): Promise<number | 'dropped'> => {
        try {
          const r = await httpCall({
            url,
            ca,
            method: 'POST',
            body: h.body,
            headers: h.contentType ? { 'content-type': h.contentType } : {},
            timeoutMs: 10_000,
          });
          return r.status;
        } catch {
          return 'dropped';
        }
      };
      const setup = SETUPS[0]!.name;
      const ref = theirs.get(setup)!;
      const mine = ours.get(setup)!;
      assert.deepEqual(
        { theirs: await answer(ref.url, ref.caPem), ours: await answer(mine.url, mine.caPem) },
        { theirs: h.theirs, ours: h.ours },
      );
    });
  }

  let n = 1;
  for (const setup of SETUPS) {
    for (const [index, c] of CORPUS.entries()) {
      n++;
      it(`${String(n).padStart(3, '0')} [${setup.name}] ${c.name}`, async () => {
        const t = tally.get(setup.name) ?? { same: 0, known: 0, total: 0 };
        tally.set(setup.name, t);
        t.total++;
        const ns = c.namespace ?? NS;
        const draft = podOf(c, index);
        const request: Json = c.raw
          ? draft
          : await cluster.admin.create<JsonObject>(`/api/v1/namespaces/${ns}/pods?dryRun=All`, draft);
        const uid = `diff-${setup.name}-${index}`;
        const apiVersion = `admission.k8s.io/${c.reviewVersion ?? 'v1'}`;
        const review = JSON.stringify({
          apiVersion,
          kind: 'AdmissionReview',
          request: {
            uid,
            kind: { group: '', version: 'v1', kind: 'Pod' },
            resource: { group: '', version: 'v1', resource: 'pods' },
            requestKind: { group: '', version: 'v1', kind: 'Pod' },
            requestResource: { group: '', version: 'v1', resource: 'pods' },
            name: (draft.metadata as JsonObject).name,
            namespace: ns,
            operation: 'CREATE',
            userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
            object: request,
            oldObject: null,
            dryRun: false,
            options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
          },
        });
        const ref = theirs.get(setup.name)!;
        const mine = ours.get(setup.name)!;
        const [a, b] = await Promise.all([
          admit(ref.url, ref.caPem, review, { uid, apiVersion }, request),
          admit(mine.url, mine.caPem, review, { uid, apiVersion }, request),
        ]);
        const expected = c.expectIn?.[setup.name] ?? c.expect;
        assert.equal(
          a.kind,
          expected,
          `vault-k8s did not ${expected} (fix the case): ${a.kind === 'deny' ? a.message : a.kind}`,
        );
        const diffs = compare(a, b);
        const known = KNOWN_DIFFERENCES[c.name];
        const applies = known && (!known.setups || known.setups.includes(setup.name));
        if (!applies) {
          assert.ok(diffs.length === 0, `differs from vault-k8s:\n${describeDiffs(diffs)}`);
          t.same++;
          return;
        }
        const unexplained = diffs.filter((d) => !known.paths.some((p) => covers(p, d.path)));
        assert.ok(
          unexplained.length === 0,
          `differs beyond its KNOWN_DIFFERENCES entry:\n${describeDiffs(unexplained)}`,
        );
        if (!known.sometimes) {
          assert.ok(diffs.length > 0, 'the known difference no longer shows: remove it from KNOWN_DIFFERENCES');
        }
        if (diffs.length > 0) t.known++;
        else t.same++;
      });
    }
  }
});
