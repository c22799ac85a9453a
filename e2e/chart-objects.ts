/**
 * Pure helpers for the chart suite: reading `helm template` output, the REST collection of each
 * rendered kind, and turning the rendered Deployment's container into a local process's argv and env.
 */
import { parseAllDocuments } from 'yaml';

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** The objects of a multi-document YAML stream (empty documents skipped); a YAML error names the document. */
export function parseManifests(text: string): RenderedObject[] {
  const objects: RenderedObject[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length) throw new Error(`rendered document ${index + 1} is not YAML: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return;
    const obj = value as Partial<RenderedObject>;
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string')
      throw new Error(`rendered document ${index + 1} has no apiVersion, kind or metadata.name`);
    objects.push(obj as RenderedObject);
  });
  return objects;
}

/** Resource name and scope of every kind the chart renders (and the ServiceMonitor CRD the suite installs). */
const RESOURCES: Readonly<Record<string, { readonly plural: string; readonly namespaced: boolean }>> = {
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Secret: { plural: 'secrets', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  Pod: { plural: 'pods', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  MutatingWebhookConfiguration: { plural: 'mutatingwebhookconfigurations', namespaced: false },
  PodDisruptionBudget: { plural: 'poddisruptionbudgets', namespaced: true },
  ServiceMonitor: { plural: 'servicemonitors', namespaced: true },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
};

/** The REST collection an object is created in: `/api/v1/...` for the core group, `/apis/<group>/<version>/...` else. */
export function collectionPath(obj: Pick<RenderedObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const resource = RESOURCES[obj.kind];
  if (!resource) throw new Error(`no REST mapping for kind ${obj.kind} (${obj.apiVersion}): add it to RESOURCES`);
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  if (!resource.namespaced) return `${base}/${resource.plural}`;
  if (!obj.metadata.namespace) throw new Error(`${obj.kind} ${obj.metadata.name} is rendered without a namespace`);
  return `${base}/namespaces/${encodeURIComponent(obj.metadata.namespace)}/${resource.plural}`;
}

export function findObject(objects: readonly RenderedObject[], kind: string, name?: string): RenderedObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} among ${objects.map((o) => o.kind).join(', ')}`);
  return found;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string } };
}

export interface RenderedContainer {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
}

/** The containers of a rendered Deployment's pod template. */
export function deploymentContainers(deployment: RenderedObject): RenderedContainer[] {
  const spec = deployment.spec as { template?: { spec?: { containers?: RenderedContainer[] } } } | undefined;
  const containers = spec?.template?.spec?.containers;
  if (!containers?.length) throw new Error(`Deployment ${deployment.metadata.name} has no containers`);
  return containers;
}

/**
 * The container's environment as the kubelet would give it to a pod named `pod.name` in `pod.namespace`:
 * literal values, and the downward-API fields the chart uses. Anything else is an error, so a new kind of
 * env source in the chart cannot be silently dropped by the suite.
 */
export function containerEnv(
  container: RenderedContainer,
  pod: { readonly name: string; readonly namespace: string },
): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace };
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    if (v.valueFrom === undefined) {
      env[v.name] = v.value ?? '';
      continue;
    }
    const path = v.valueFrom.fieldRef?.fieldPath;
    const resolved = path === undefined ? undefined : fields[path];
    if (resolved === undefined)
      throw new Error(
        `env ${v.name} of container ${container.name}: unsupported valueFrom ${JSON.stringify(v.valueFrom)}`,
      );
    env[v.name] = resolved;
  }
  return env;
}

/** `--set name=value` arguments, in the order given (as Terraform's helm_release `set` blocks pass them). */
export function setArgs(sets: Readonly<Record<string, string>>): string[] {
  return Object.entries(sets).flatMap(([name, value]) => ['--set', `${name}=${value}`]);
}

/**
 * A copy of a rendered MutatingWebhookConfiguration whose webhooks call `url` instead of the chart's
 * Service (the bed has no Service routing); everything else, including the caBundle, is kept.
 */
export function pointWebhooksAt(mwc: RenderedObject, url: string): RenderedObject {
  const copy = structuredClone(mwc);
  const webhooks = copy.webhooks as { clientConfig: { service?: unknown; url?: string } }[] | undefined;
  if (!webhooks?.length) throw new Error(`MutatingWebhookConfiguration ${mwc.metadata.name} has no webhooks`);
  for (const w of webhooks) {
    delete w.clientConfig.service;
    w.clientConfig.url = url;
  }
  return copy;
}
