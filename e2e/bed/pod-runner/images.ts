/**
 * The image-to-program table: what runs on this machine when a container names an image.
 * `entrypoint` stands in for the image's ENTRYPOINT+CMD when the container gives no command;
 * `commands` are extra programs put on the container's PATH (e.g. `vault` and `bao` -> the bed's Vault binary;
 * an argv such as [node, main.js] becomes a small wrapper script). `env` is the image's ENV, under the
 * container's own env.
 */
export interface ImageRule {
  readonly name: string;
  readonly pattern: RegExp;
  readonly entrypoint?: readonly string[];
  readonly commands?: Readonly<Record<string, string | readonly string[]>>;
  readonly env?: Readonly<Record<string, string>>;
}

export function findImageRule(table: readonly ImageRule[], image: string): ImageRule | undefined {
  return table.find((r) => r.pattern.test(image));
}

/** Matches `name`, `name:tag`, `name@digest`, with an optional registry prefix. */
export function imagePattern(...repositories: string[]): RegExp {
  const alternatives = repositories.map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return new RegExp(`^([^/]+\\.[^/]+/|docker\\.io/)?(library/)?(${alternatives})([:@]|$)`);
}

export interface BedPrograms {
  /** The bed's Vault binary, which runs as Vault Agent for `hashicorp/vault` and `openbao/openbao` images. */
  readonly vault?: string;
  /** argv that starts our CLI, e.g. [node, dist/cli/main.js]. */
  readonly vaultInjector: readonly string[];
}

/**
 * The table the e2e suites use. Application images run host commands (busybox's `sh`, `cat`,
 * `sleep` are the host's); images with no command of their own get a harmless stand-in.
 */
export function defaultImageTable(p: BedPrograms): ImageRule[] {
  const table: ImageRule[] = [
    {
      name: 'vault-injector',
      pattern: imagePattern('vault-injector', 'hashicorp/vault-injector', 'vault-injector/agent'),
      entrypoint: p.vaultInjector,
      // exec probes and preStop hooks run `vault-injector ...` (Dockerfile.agent links it into /usr/local/bin)
      commands: { 'vault-injector': p.vaultInjector },
      env: { HOME: '/home/vault' },
    },
  ];
  if (p.vault) {
    table.push({
      name: 'vault',
      pattern: imagePattern('hashicorp/vault', 'hashicorp/vault-enterprise', 'openbao/openbao', 'vault', 'openbao'),
      entrypoint: [p.vault],
      commands: { vault: p.vault, bao: p.vault },
    });
  }
  table.push(
    { name: 'shell', pattern: imagePattern('busybox', 'alpine', 'debian', 'ubuntu', 'bash'), entrypoint: ['sh'] },
    {
      name: 'server',
      pattern: imagePattern('nginx', 'httpd', 'jweissig/app', 'hashicorp/http-echo'),
      entrypoint: ['sleep', 'infinity'],
    },
    { name: 'any', pattern: /./ },
  );
  return table;
}
