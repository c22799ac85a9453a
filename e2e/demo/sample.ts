import { createHash } from 'node:crypto';

/** The AKS walkthrough's workload (seed 002): namespace, service account and Deployment are all `busybox`. */
export const SAMPLE = {
  namespace: 'busybox',
  deployment: 'busybox',
  serviceAccount: 'busybox',
  container: 'busybox',
  secretFile: '/vault/secrets/devops_token',
} as const;

/** The walkthrough's template, written out in full (the blog's copy lost its `{{ }}` parts). */
export const DEVOPS_TOKEN_TEMPLATE =
  '{{- with secret "secret/devops" -}}token value stored on path secret/devops is {{ .Data.data.token }}{{- end }}';

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface Deployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
}

/** The walkthrough's `busybox.yaml`, with the agent image the demo runs. */
export function sampleDeployment(): Deployment {
  const labels = { app: 'busybox' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: SAMPLE.deployment, namespace: SAMPLE.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels,
          annotations: {
            'vault.hashicorp.com/agent-inject': 'true',
            'vault.hashicorp.com/agent-inject-secret-devops_token': 'secret/devops',
            'vault.hashicorp.com/agent-inject-template-devops_token': DEVOPS_TOKEN_TEMPLATE,
            'vault.hashicorp.com/role': 'busybox',
          },
        },
        spec: {
          serviceAccountName: SAMPLE.serviceAccount,
          containers: [
            {
              name: SAMPLE.container,
              image: 'busybox',
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', 'echo Container 1 is Running ; sleep 3600'],
            },
          ],
        },
      },
    },
  };
}

/** Kubernetes' name alphabet for generated suffixes: no vowels, no look-alike digits. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A stable 10-character hash of the pod template, like the `pod-template-hash` a ReplicaSet carries. */
export function templateHash(template: PodTemplate): string {
  const digest = createHash('sha256').update(JSON.stringify(template)).digest();
  return [...digest.subarray(0, 10)].map((b) => SAFE_ALPHABET[b % SAFE_ALPHABET.length]).join('');
}

export interface PodManifest {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    generateName: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: Record<string, unknown>;
}

/**
 * The pod a Deployment's ReplicaSet would create: the template, the `pod-template-hash` label, and a
 * name the API server completes (`<deployment>-<hash>-<5 random>`). The bed has no controller
 * manager, so the demo does this step itself.
 */
export function podFromTemplate(deployment: Deployment): PodManifest {
  const { template } = deployment.spec;
  const hash = templateHash(template);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${deployment.metadata.name}-${hash}-`,
      namespace: deployment.metadata.namespace,
      labels: { ...template.metadata.labels, 'pod-template-hash': hash },
      annotations: { ...template.metadata.annotations },
    },
    spec: structuredClone(template.spec),
  };
}
