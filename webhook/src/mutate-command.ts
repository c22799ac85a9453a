import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { InjectorConfigError, loadInjectorConfig } from './config.js';
import { denyMessage } from './core/errors.js';
import { mutate } from './core/mutate.js';
import type { Pod } from './core/pod-types.js';
import type { ProcessIO } from './main.js';

export const MUTATE_HELP = `Usage: vault-injector mutate -f FILE [--patch] [-n NAMESPACE] [injector flags]

Runs the webhook's mutation offline on a Pod (or the pod template of a Deployment, StatefulSet,
DaemonSet, ReplicaSet, Job or CronJob) and prints the mutated pod as YAML, or with --patch the JSON
patch the webhook would return. A denied pod prints the reason the API server would show and exits 2.
Injector flags and AGENT_INJECT_* variables are those of \`vault-injector webhook\`; without a Vault
address, https://vault.vault.svc:8200 is assumed. FILE may be - for standard input.
`;

/** The pod inside a workload object, or the object itself when it is a Pod. */
export function podOf(doc: Record<string, unknown>): { pod: Pod; namespace: string | undefined } {
  const kind = doc.kind;
  const meta = (doc.metadata ?? {}) as { namespace?: string };
  if (kind === 'Pod' || kind === undefined) return { pod: doc as Pod, namespace: meta.namespace };
  const spec = doc.spec as { template?: Pod; jobTemplate?: { spec?: { template?: Pod } } } | undefined;
  const template = spec?.template ?? spec?.jobTemplate?.spec?.template;
  if (!template) throw new Error(`a ${String(kind)} has no pod template (spec.template)`);
  return { pod: { apiVersion: 'v1', kind: 'Pod', ...template }, namespace: meta.namespace };
}

export function runMutate(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ProcessIO,
  readStdin: () => string,
): number {
  let file: string | undefined;
  let asPatch = false;
  let namespace: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-h' || a === '--help') {
      io.out(MUTATE_HELP);
      return 0;
    }
    if (a === '-f' || a === '--filename') file = argv[++i];
    else if (a.startsWith('--filename=') || a.startsWith('-f=')) file = a.slice(a.indexOf('=') + 1);
    else if (a === '--patch') asPatch = true;
    else if (a === '-n' || a === '--namespace') namespace = argv[++i];
    else if (a.startsWith('--namespace=')) namespace = a.slice('--namespace='.length);
    else rest.push(a);
  }
  if (!file) {
    io.err(`Error: -f FILE is required\n\n${MUTATE_HELP}`);
    return 1;
  }
  try {
    const hasAddress = rest.some((a) => /^--?vault-address(=|$)/.test(a)) || (env.AGENT_INJECT_VAULT_ADDR ?? '') !== '';
    const cfg = loadInjectorConfig(hasAddress ? rest : [...rest, '-vault-address=https://vault.vault.svc:8200'], env);
    const text = file === '-' ? readStdin() : readFileSync(file, 'utf8');
    const docs = parseAllDocuments(text);
    if (docs.length !== 1) throw new Error(`${file} must hold exactly one object (found ${docs.length})`);
    const [doc] = docs;
    if (!doc || doc.errors.length) throw new Error(`${file} is not valid YAML: ${doc?.errors[0]?.message ?? 'empty'}`);
    const { pod, namespace: fromDoc } = podOf(doc.toJS() as Record<string, unknown>);
    const ns = namespace ?? fromDoc ?? 'default';
    const result = mutate(pod, ns, cfg);
    switch (result.kind) {
      case 'deny':
        io.err(`denied: ${denyMessage(result.error)}\n`);
        return 2;
      case 'skip':
        io.err(
          'not injected: the pod does not ask for injection (vault.hashicorp.com/agent-inject), is not Pending, or is already injected\n',
        );
        io.out(asPatch ? '[]\n' : stringify(pod));
        return 0;
      case 'inject':
        io.out(asPatch ? `${JSON.stringify(result.patch, null, 2)}\n` : stringify(result.pod));
        return 0;
    }
  } catch (err) {
    io.err(`Error: ${err instanceof InjectorConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
