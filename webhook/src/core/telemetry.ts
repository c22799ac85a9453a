import { P } from './keys.js';

type FieldType = 'string' | 'int' | 'bool' | 'strings';

/** The telemetry fields Vault Agent accepts from the injector, in output order (spec §1.10). */
export const TELEMETRY_FIELDS: ReadonlyArray<readonly [string, FieldType]> = [
  ['usage_gauge_period', 'string'],
  ['maximum_gauge_cardinality', 'int'],
  ['disable_hostname', 'bool'],
  ['enable_hostname_label', 'bool'],
  ['lease_metrics_epsilon', 'string'],
  ['num_lease_metrics_buckets', 'int'],
  ['add_lease_metrics_namespace_labels', 'bool'],
  ['filter_default', 'bool'],
  ['prefix_filter', 'strings'],
  ['statsite_address', 'string'],
  ['statsd_address', 'string'],
  ['circonus_api_token', 'string'],
  ['circonus_api_app', 'string'],
  ['circonus_api_url', 'string'],
  ['circonus_submission_interval', 'string'],
  ['circonus_submission_url', 'string'],
  ['circonus_check_id', 'string'],
  ['circonus_check_force_metric_activation', 'bool'],
  ['circonus_check_instance_id', 'string'],
  ['circonus_check_search_tag', 'string'],
  ['circonus_check_display_name', 'string'],
  ['circonus_check_tags', 'string'],
  ['circonus_broker_id', 'string'],
  ['circonus_broker_select_tag', 'string'],
  ['dogstatsd_addr', 'string'],
  ['dogstatsd_tags', 'strings'],
  ['prometheus_retention_time', 'string'],
  ['stackdriver_project_id', 'string'],
  ['stackdriver_location', 'string'],
  ['stackdriver_namespace', 'string'],
  ['stackdriver_debug_logs', 'bool'],
];

function typeOk(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
}

/**
 * `agent-telemetry-<param>` annotations -> the `telemetry` block. Values are JSON when they parse as
 * JSON, else strings; unknown keys are dropped; zero values are omitted; and, as in vault-k8s, one value
 * of the wrong type drops the whole block (undefined).
 */
export function parseTelemetry(a: ReadonlyMap<string, string>): Record<string, unknown> | undefined {
  const given = new Map<string, unknown>();
  for (const [key, raw] of a) {
    if (!key.startsWith(P.telemetry)) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    // Go's JSON decoding matches field names case-insensitively.
    given.set(key.slice(P.telemetry.length).replaceAll('-', '_').toLowerCase(), value);
  }
  const out: Record<string, unknown> = {};
  for (const [field, type] of TELEMETRY_FIELDS) {
    if (!given.has(field)) continue;
    const value = given.get(field);
    if (value === null) continue;
    if (!typeOk(value, type)) return undefined;
    if (!isZero(value)) out[field] = value;
  }
  // Any telemetry annotation that decodes gives a block, even an empty one (as vault-k8s).
  return given.size > 0 ? out : undefined;
}
