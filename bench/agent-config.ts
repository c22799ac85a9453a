/**
 * The agent configurations `npm run bench:agent` gives to both agents (one JSON file, read by
 * `vault agent -config=` and by `vault-injector agent -config=`), and the secret set they read.
 * Pure: paths and addresses come in, plain objects go out.
 */

/** Where one agent run keeps its credentials and writes its files. */
export interface RunPaths {
  readonly roleIdFile: string;
  readonly secretIdFile: string;
  /** Sink file and rendered templates go here. */
  readonly outDir: string;
}

/** The short refresh schedule of the sidecar run, so a one-minute window sees every kind of request. */
export interface SidecarSchedule {
  /** static_secret_render_interval, seconds (KV v2 re-read base). */
  readonly staticIntervalS: number;
  /** AppRole token_ttl, seconds (token renewal period base). */
  readonly tokenTtlS: number;
  /** The `ttl` key in the KV v1 secret, seconds (its re-read base). */
  readonly kv1TtlS: number;
  /** The pkiCert `ttl`, seconds. */
  readonly pkiTtlS: number;
  /** How far Vault's PKI back-dates NotBefore (role `not_before_duration`, default 30 s). */
  readonly pkiBackdateS: number;
}

export const DEFAULT_SCHEDULE: SidecarSchedule = {
  staticIntervalS: 15,
  tokenTtlS: 120,
  kv1TtlS: 30,
  pkiTtlS: 60,
  pkiBackdateS: 30,
};

export const APPROLE_MOUNT = 'approle';
export const APPROLE_ROLE = 'bench';
export const KV1_MOUNT = 'kv1';
export const PKI_ROLE = 'example-dot-com';
export const PKI_COMMON_NAME = 'bench.example.com';

/** The policy the AppRole token gets: read the KV secrets, issue certificates. */
export const BENCH_POLICY = [
  'path "secret/data/bench/*" { capabilities = ["read"] }',
  `path "${KV1_MOUNT}/bench/*" { capabilities = ["read"] }`,
  `path "pki/issue/${PKI_ROLE}" { capabilities = ["update"] }`,
].join('\n');

/** KV v2 secret `secret/bench/init/t<i>` (1-based) read by init template i, and what it renders to. */
export const initSecretPath = (i: number): string => `bench/init/t${i}`;
export const initSecretValue = (i: number): string => `init-password-${i}`;

export const SIDECAR_KV2_PATH = 'bench/app';
export const SIDECAR_KV2_VALUE = 'app-password';
export const SIDECAR_KV1_PATH = 'bench/rotating';
export const SIDECAR_KV1_VALUE = 'rotating-password';

/** A template block as both agents read it. */
export interface TemplateBlock {
  readonly destination: string;
  readonly contents: string;
  readonly error_on_missing_key: boolean;
}

/** What a rendered file must hold: exactly `equals`, or contain `includes`. */
export interface ExpectedFile {
  readonly path: string;
  readonly equals?: string;
  readonly includes?: string;
}

export interface AgentConfigFile {
  readonly json: Record<string, unknown>;
  readonly expected: readonly ExpectedFile[];
}

function baseConfig(vaultAddr: string, paths: RunPaths, exitAfterAuth: boolean): Record<string, unknown> {
  return {
    auto_auth: {
      method: {
        type: 'approle',
        mount_path: `auth/${APPROLE_MOUNT}`,
        config: {
          role_id_file_path: paths.roleIdFile,
          secret_id_file_path: paths.secretIdFile,
          // both agents of a run read the same files, so neither may delete them
          remove_secret_id_file_after_reading: false,
        },
      },
      sink: [{ type: 'file', config: { path: `${paths.outDir}/.vault-token` } }],
    },
    exit_after_auth: exitAfterAuth,
    vault: { address: vaultAddr },
  };
}

const kv2Template = (path: string): string =>
  `{{ with secret "secret/data/${path}" }}{{ .Data.data.password }}{{ end }}`;

/** Init-container mode: `exit_after_auth`, `count` templates each reading its own KV v2 secret. */
export function initConfig(vaultAddr: string, paths: RunPaths, count: number): AgentConfigFile {
  if (!Number.isInteger(count) || count < 1) throw new Error(`template count must be a positive integer, got ${count}`);
  const templates: TemplateBlock[] = [];
  const expected: ExpectedFile[] = [];
  for (let i = 1; i <= count; i++) {
    const destination = `${paths.outDir}/t${i}`;
    templates.push({ destination, contents: kv2Template(initSecretPath(i)), error_on_missing_key: true });
    expected.push({ path: destination, equals: initSecretValue(i) });
  }
  return {
    json: {
      ...baseConfig(vaultAddr, paths, true),
      template: templates,
      template_config: { exit_on_retry_failure: true },
    },
    expected,
  };
}

/** Sidecar mode: the fixed secret set (KV v2, KV v1 with a `ttl`, a pkiCert) on the short schedule. */
export function sidecarConfig(vaultAddr: string, paths: RunPaths, schedule: SidecarSchedule): AgentConfigFile {
  const kv2 = `${paths.outDir}/kv2`;
  const kv1 = `${paths.outDir}/kv1`;
  const pki = `${paths.outDir}/cert.pem`;
  // Cert, key and CA all go to the file: pkiCert reads it back to decide whether to re-issue (spec §3.3).
  const pkiContents =
    `{{ with pkiCert "pki/issue/${PKI_ROLE}" "common_name=${PKI_COMMON_NAME}" "ttl=${schedule.pkiTtlS}s" }}` +
    '{{ .Cert }}{{ .Key }}{{ .CA }}{{ end }}';
  return {
    json: {
      ...baseConfig(vaultAddr, paths, false),
      template: [
        { destination: kv2, contents: kv2Template(SIDECAR_KV2_PATH), error_on_missing_key: true },
        {
          destination: kv1,
          contents: `{{ with secret "${KV1_MOUNT}/${SIDECAR_KV1_PATH}" }}{{ .Data.password }}{{ end }}`,
          error_on_missing_key: true,
        },
        { destination: pki, contents: pkiContents, error_on_missing_key: true },
      ],
      template_config: { exit_on_retry_failure: true, static_secret_render_interval: `${schedule.staticIntervalS}s` },
    },
    expected: [
      { path: kv2, equals: SIDECAR_KV2_VALUE },
      { path: kv1, equals: SIDECAR_KV1_VALUE },
      { path: pki, includes: '-----BEGIN CERTIFICATE-----' },
    ],
  };
}
