/**
 * The parts of core/v1 objects the webhook reads and writes. The webhook never round-trips a pod
 * through these types: it works on the raw JSON object, so fields it does not know are kept.
 */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } } & Record<string, unknown>;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  [k: string]: unknown;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: VolumeMount[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  securityContext?: { runAsUser?: number; runAsGroup?: number; [k: string]: unknown };
  restartPolicy?: string;
  [k: string]: unknown;
}

export interface Volume {
  name: string;
  projected?: {
    sources?: { serviceAccountToken?: { path?: string; audience?: string; expirationSeconds?: number } }[];
  };
  [k: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    volumes?: Volume[];
    shareProcessNamespace?: boolean;
    [k: string]: unknown;
  };
  status?: { phase?: string; [k: string]: unknown };
  [k: string]: unknown;
}
