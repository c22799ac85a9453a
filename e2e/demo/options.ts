import { DEFAULT_AGENT_IMAGE } from '../../webhook/src/core/annotations.js';

export const DEMO_HELP = `Usage: vault-injector demo [--once] [--agent-image IMAGE]   (from a source checkout: npm start)

Brings up a local stack on 127.0.0.1 (etcd + kube-apiserver, a Vault 1.14.8 dev server, the
vault-injector webhook), configures Vault as in the AKS walkthrough, creates the annotated Deployment
busybox/busybox and its pod, runs the pod on this machine and shows what a user would see: the
webhook's changes to the pod, the rendered /vault/secrets/devops_token and the agent's logs. Then it
follows the agent's logs until Ctrl-C (or SIGTERM) and stops everything it started.

Needs root (the pod runner uses mount namespaces) and the test bed's binaries (built from Go modules
into ~/.cache/vault-injector on first use, or VAULT_INJECTOR_CACHE).

Options:
  --once               stop after printing, instead of following the agent's logs
  --agent-image IMAGE  the agent image the webhook injects (default ${DEFAULT_AGENT_IMAGE}, which runs
                       \`vault-injector agent\`; hashicorp/vault:1.14.8 runs the real Vault Agent)
  -h, --help           print this help
`;

export interface DemoOptions {
  readonly once: boolean;
  readonly agentImage: string;
}

export type ParsedArgs = { kind: 'help' } | { kind: 'run'; options: DemoOptions } | { kind: 'error'; message: string };

/** The demo's command line; every mistake gets a message that names it. */
export function parseDemoArgs(argv: readonly string[]): ParsedArgs {
  let once = false;
  let agentImage = DEFAULT_AGENT_IMAGE;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help' || arg === '-help') return { kind: 'help' };
    if (arg === '--once' || arg === '-once') once = true;
    else if (/^--?agent-image(=|$)/.test(arg)) {
      const eq = arg.indexOf('=');
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value.trim() === '' || value.startsWith('-')) {
        return {
          kind: 'error',
          message: '--agent-image needs an image name, e.g. --agent-image hashicorp/vault:1.14.8',
        };
      }
      agentImage = value.trim();
    } else return { kind: 'error', message: `unknown argument ${JSON.stringify(arg)}` };
  }
  return { kind: 'run', options: { once, agentImage } };
}
