// `vault-injector agent`: the process behind vault-agent-init and vault-agent. Wires configuration, the Vault client,
// auto-auth, the template server and the listeners, and owns the process lifecycle (init: render once and exit;
// sidecar: run until SIGTERM or the quit endpoint). Every decision lives in the modules it wires.
import { readFile } from 'node:fs/promises';
import { createLogger, type Logger } from '../../cli/log.js';
import { AuthHandler } from './auth/handler.js';
import { createAuthMethod } from './auth/methods/factory.js';
import { FileSink, type TokenSink } from './auth/sink.js';
import { HandoffError, type HandoffState } from './cache/handoff.js';
import { DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE, type HandoffVault, readHandoff, writeHandoff } from './cache/persist.js';
import { loadAgentConfig } from './config/load.js';
import { AgentConfigError } from './config/load-errors.js';
import type { AgentConfig, AgentTemplate } from './config/load-types.js';
import type { AgentListener } from './listener/server.js';
import type { AgentMetrics } from './metrics.js';
import { type PidFile, writePidFile } from './pidfile.js';
import type { LeasedSecret, RunnerTemplate } from './runner/runner.js';
import { compileTemplate } from './template/engine.js';
import { TemplateServer } from './template-server.js';
import { VaultClient } from './vault/client.js';
import { vaultClientOptionsFromEnvironment } from './vault/options.js';
import { tlsConnectOptions } from './vault/tls.js';
import { authPort, runnerPort } from './vault-ports.js';

export interface AgentIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const AGENT_HELP = `Usage: vault-injector agent [flags]

Runs a Vault Agent for one pod: logs in to Vault (auto_auth), renders templates, keeps them fresh.
Reads the Vault Agent configuration from VAULT_CONFIG (base64 JSON, as the injector writes it) and/or -config.

Flags:
  -config=<path>       A configuration file (HCL or JSON) or a directory of them; may be repeated.
  -log-level=<level>   trace, debug, info, warn or error (beats VAULT_LOG_LEVEL and the file). Default info.
  -log-format=<fmt>    standard or json (beats VAULT_LOG_FORMAT and the file). Default standard.
  -exit-after-auth     Render every template once, then exit (what vault-agent-init does).

Environment: VAULT_ADDR, VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_SKIP_VERIFY,
VAULT_TLS_SERVER_NAME, VAULT_NAMESPACE, VAULT_MAX_RETRIES, VAULT_CLIENT_TIMEOUT override the config's vault block.
`;

export interface AgentFlags {
  readonly configPaths: string[];
  readonly logLevel?: string;
  readonly logFormat?: string;
  readonly exitAfterAuth: boolean;
  readonly help: boolean;
}

/** Go flag syntax, as `vault agent` takes it: `-name=value`, `-name value`, `--name`, booleans bare. */
export function parseAgentFlags(argv: readonly string[]): AgentFlags {
  const flags = { configPaths: [] as string[], exitAfterAuth: false, help: false } as {
    configPaths: string[];
    logLevel?: string;
    logFormat?: string;
    exitAfterAuth: boolean;
    help: boolean;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m)
      throw new AgentConfigError('CONFIG_FLAG', `unexpected argument ${JSON.stringify(arg)} (flags start with -)`);
    const name = m[1] ?? '';
    const value = (): string => {
      if (m[2] !== undefined) return m[2];
      const next = argv[++i];
      if (next === undefined) throw new AgentConfigError('CONFIG_FLAG', `flag -${name} needs a value`);
      return next;
    };
    switch (name) {
      case 'config':
        flags.configPaths.push(value());
        break;
      case 'log-level':
        flags.logLevel = value();
        break;
      case 'log-format':
        flags.logFormat = value();
        break;
      case 'exit-after-auth': {
        const v = m[2] ?? 'true';
        if (!/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(v))
          throw new AgentConfigError('CONFIG_FLAG', `flag -exit-after-auth: invalid boolean ${JSON.stringify(v)}`);
        flags.exitAfterAuth = /^(1|t|T|TRUE|true|True)$/.test(v);
        break;
      }
      case 'h':
      case 'help':
        flags.help = true;
        break;
      default:
        throw new AgentConfigError(
          'CONFIG_FLAG',
          `flag provided but not defined: -${name} (known: -config, -log-level, -log-format, -exit-after-auth)`,
        );
    }
  }
  return flags;
}

async function templateText(t: AgentTemplate): Promise<string> {
  if (t.contents !== undefined && t.contents !== '') return t.contents;
  if (t.source === undefined || t.source === '') return '';
  try {
    return await readFile(t.source, 'utf8');
  } catch (err) {
    throw new AgentConfigError(
      'CONFIG_READ',
      `template ${JSON.stringify(t.destination)}: cannot read source ${JSON.stringify(t.source)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** The Vault calls of the persistent-cache handoff, on the agent's client. */
function handoffVault(client: VaultClient): HandoffVault {
  return {
    async wrap(token, data, ttl) {
      return (await client.wrap(token, data, ttl, { retry: false })).token;
    },
    async unwrap(wrappingToken) {
      const secret = await client.write('sys/wrapping/unwrap', {}, { token: wrappingToken, retry: false });
      if (secret?.data == null) throw new HandoffError('sys/wrapping/unwrap answered without data');
      return secret.data as Record<string, unknown>;
    },
  };
}

async function runnerTemplates(cfg: AgentConfig): Promise<RunnerTemplate[]> {
  const out: RunnerTemplate[] = [];
  for (const t of cfg.templates) {
    const compiled = compileTemplate({
      name: t.source ?? t.destination,
      text: await templateText(t),
      language: t.language,
      leftDelim: t.leftDelimiter,
      rightDelim: t.rightDelimiter,
      errorOnMissingKey: t.errorOnMissingKey,
      destination: t.destination,
      functionDenylist: t.functionDenylist,
      sandboxPath: t.sandboxPath,
    });
    const command = t.command.length === 0 ? undefined : t.command.length === 1 ? (t.command[0] ?? '') : t.command;
    out.push({
      compiled,
      config: {
        destination: t.destination,
        perms: t.permsSet ? t.perms : undefined,
        command,
        commandTimeoutMs: t.commandTimeoutMs,
        createDestDirs: t.createDestDirs,
        backup: t.backup,
        errorFatal: t.errorFatal,
        source: t.source,
      },
    });
  }
  return out;
}

/** Runs the agent; resolves with the process exit code. */
export async function runAgent(argv: readonly string[], env: NodeJS.ProcessEnv, io: AgentIO): Promise<number> {
  let flags: AgentFlags;
  let cfg: AgentConfig;
  try {
    flags = parseAgentFlags(argv);
    if (flags.help) {
      io.out(AGENT_HELP);
      return 0;
    }
    cfg = await loadAgentConfig({
      env,
      configPaths: flags.configPaths,
      logLevelFlag: flags.logLevel,
      logFormatFlag: flags.logFormat,
    });
  } catch (err) {
    io.err(`Error loading configuration: ${(err as Error).message}\n`);
    return 1;
  }
  const log = createLogger({ name: 'agent', level: cfg.logLevel, format: cfg.logFormat, write: io.err });
  try {
    return await runWithConfig(cfg, flags, env, io, log);
  } catch (err) {
    log.error('runtime error encountered', { error: (err as Error).message });
    io.err('Error encountered during run, refer to logs for more details.\n');
    return 1;
  }
}

async function runWithConfig(
  cfg: AgentConfig,
  flags: AgentFlags,
  env: NodeJS.ProcessEnv,
  io: AgentIO,
  log: Logger,
): Promise<number> {
  const exitAfterAuth = flags.exitAfterAuth || cfg.exitAfterAuth;
  const autoAuth = cfg.autoAuth;
  if (!autoAuth) throw new AgentConfigError('CONFIG_INVALID', 'this agent needs an auto_auth block');
  const templates = await runnerTemplates(cfg);
  const vaultBlock = cfg.vault;
  const clientOptions = vaultClientOptionsFromEnvironment(env, vaultBlock);
  const client = new VaultClient(
    {
      ...clientOptions,
      maxConnsPerHost: cfg.templateConfig.maxConnectionsPerHost,
      disableKeepAlives: cfg.disableKeepAlives.has('templating') || clientOptions.disableKeepAlives,
    },
    log.named('vault'),
  );
  // Metrics and listeners load only when configured: most pods have neither, and prom-client costs start-up time.
  const metrics: AgentMetrics | undefined =
    cfg.listeners.length > 0
      ? new (await import('./metrics.js')).AgentMetrics({ prefix: cfg.telemetry.metricsPrefix })
      : undefined;

  io.out(
    [
      '==> vault-injector agent started! Log data will stream in below:',
      '',
      '==> vault-injector agent configuration:',
      '',
      ...cfg.listeners.map((l, i) => `           Api Address ${i + 1}: http://${l.address}`),
      `               Log Level: ${cfg.logLevel}`,
      `                   Vault: ${client.address}`,
      `               Templates: ${templates.length}`,
      `                    Mode: ${exitAfterAuth ? 'init (exit after auth and first render)' : 'sidecar'}`,
      '',
      '',
    ].join('\n'),
  );

  let pidFile: PidFile | undefined;
  if (cfg.pidFile) pidFile = await writePidFile(cfg.pidFile);
  const removePid = () => pidFile?.removeSync();
  process.once('exit', removePid);

  const sinks: TokenSink[] = [];
  for (const s of autoAuth.sinks) sinks.push(await FileSink.create({ path: s.path, mode: s.mode }, log));

  const method = autoAuth.method;
  const methodConfig: Record<string, string | boolean> = Object.fromEntries(method.config);

  // cache.persist (vault-k8s: agent-cache-enable): vault-agent-init leaves its token and leased secrets for
  // vault-agent, which carries on with them instead of logging in again and fetching new credentials.
  const persist = cfg.cache?.persist;
  const persistOptions = persist && {
    dir: persist.path,
    serviceAccountTokenFile:
      persist.serviceAccountTokenFile ??
      (method.type === 'kubernetes' && typeof methodConfig.token_path === 'string'
        ? methodConfig.token_path
        : undefined) ??
      DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE,
    vault: handoffVault(client),
    log,
  };
  let restored: HandoffState | undefined;
  if (persist && persistOptions && !exitAfterAuth) {
    try {
      restored = await readHandoff({ ...persistOptions, keepAfterImport: persist.keepAfterImport });
    } catch (err) {
      if (persist.exitOnErr) throw err;
      log.warn('could not load the persistent cache; logging in instead', { error: (err as Error).message });
    }
  }
  const authMethod = createAuthMethod({
    type: method.type,
    mountPath: method.mountPath,
    namespace: method.namespace,
    config: methodConfig,
  });

  let settle: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    settle = resolve;
  });
  let done = false;
  const finish = (code: number) => {
    if (done) return;
    done = true;
    settle(code);
  };

  const numRetries = vaultBlock.retry.numRetries;
  const templateServer = new TemplateServer({
    templates,
    portFor: (token) => runnerPort(client, token),
    env,
    log,
    staticIntervalMs: cfg.templateConfig.staticSecretRenderIntervalMs,
    leaseRenewalThreshold: cfg.templateConfig.leaseRenewalThreshold,
    retry: {
      attempts: Math.max(0, numRetries),
      backoffMs: method.minBackoffMs !== 1000 ? method.minBackoffMs : 250,
      maxBackoffMs: method.maxBackoffMs !== 300_000 ? method.maxBackoffMs : 60_000,
    },
    exitOnRetryFailure: cfg.templateConfig.exitOnRetryFailure,
    once: exitAfterAuth,
    onRendered: () => metrics?.templateRendered('written'),
    restored: restored && { token: restored.token, secrets: restored.secrets },
    onAllRendered: () => {
      // Taken now: the runner of an init run stops (and forgets its leases) right after this call.
      if (exitAfterAuth) void finishInit(templateServer.leasedSecrets());
    },
    onFatal: (err) => {
      log.error('template server failed; exiting (exit_on_retry_failure)', { error: err.message });
      io.err(`Error: ${err.message}\n`);
      finish(1);
    },
    onInvalidToken: () => {
      if (!handler.reauthenticate()) log.debug('invalid token reported while a login is under way');
    },
  });

  const port = authPort(client);
  const countedPort: typeof port = {
    ...port,
    login: async (mountPath, body, opts) => {
      try {
        const answer = await port.login(mountPath, body, opts);
        metrics?.authSuccess();
        return answer;
      } catch (err) {
        metrics?.authFailure();
        throw err;
      }
    },
  };
  const handler: AuthHandler = new AuthHandler({
    method: authMethod,
    vault: countedPort,
    sinks,
    log,
    minBackoffMs: method.minBackoffMs,
    maxBackoffMs: method.maxBackoffMs,
    exitOnErr: method.exitOnErr,
    exitAfterAuth,
    onToken: (token) => templateServer.onToken(token),
    preloadedToken: restored?.token,
  });

  const listeners: AgentListener[] = [];
  // The proxy trusts Vault exactly as the client does (ca_cert, ca_path, VAULT_CACERT_BYTES, client cert, SNI).
  const upstreamTls = cfg.listeners.length > 0 ? tlsConnectOptions(clientOptions) : undefined;
  for (const spec of cfg.listeners) {
    const { startAgentListener } = await import('./listener/server.js');
    listeners.push(
      await startAgentListener({
        listener: spec,
        proxy: {
          vaultAddress: client.address,
          tls: upstreamTls,
          useAutoAuthToken: cfg.apiProxy?.useAutoAuthToken ?? false,
          getToken: () => handler.token,
          disableKeepAlives: cfg.disableKeepAlives.has('proxying'),
        },
        enableQuit: spec.agentApi.enableQuit,
        onQuit: () => {
          log.info('received quit request');
          finish(0);
        },
        metricsText: metrics ? () => metrics.text() : undefined,
        metrics,
        log: log.named('listener'),
      }),
    );
  }

  const onSignal = (signal: NodeJS.Signals) => {
    io.out(`==> vault-injector agent shutdown triggered (${signal})\n`);
    finish(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // An init run ends once the token is in the sinks and every template is on disk, after leaving the persistent
  // cache for the sidecar when one is configured (a failure there only costs the sidecar a fresh login).
  async function finishInit(secrets: readonly LeasedSecret[]): Promise<void> {
    await tokenDelivered;
    const token = handler.token;
    if (persistOptions && token !== undefined) {
      try {
        await writeHandoff({ token, secrets, writtenAt: Date.now() }, persistOptions);
      } catch (err) {
        log.error('could not write the persistent cache', { error: (err as Error).message });
      }
    }
    finish(0);
  }

  // In init mode the first token ends auth; the agent exits once templates are rendered too.
  let markTokenDelivered: () => void = () => {};
  const tokenDelivered = new Promise<void>((resolve) => {
    markTokenDelivered = resolve;
  });
  const authRun = handler.run().then(
    () => {
      if (exitAfterAuth) {
        log.info('sinks finished, exiting');
        markTokenDelivered();
        if (!templateServer.hasTemplates) void finishInit([]);
      }
    },
    (err: Error) => {
      log.error('auto-auth failed; exiting (exit_on_err)', { error: err.message });
      io.err('Error encountered during run, refer to logs for more details.\n');
      finish(1);
    },
  );

  const code = await finished;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  templateServer.stop();
  await handler.stop();
  await authRun;
  await Promise.all(listeners.map((l) => l.close()));
  await client.close();
  await pidFile?.remove();
  process.off('exit', removePid);
  return code;
}
