/**
 * One line per event, as users read it in `kubectl logs`: hclog's `standard` format
 * (`2006-01-02T15:04:05.000Z [INFO]  name: message: key=value`) or `json`
 * (`@level`, `@message`, `@module`, `@timestamp`, then the fields). Never pass secret values as fields.
 */
export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'standard' | 'json';
export type Fields = Readonly<Record<string, string | number | boolean | undefined>>;

const ORDER: Record<Level, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };
const TAGS: Record<Level, string> = {
  trace: '[TRACE]',
  debug: '[DEBUG]',
  info: '[INFO] ',
  warn: '[WARN] ',
  error: '[ERROR]',
};

export interface Logger {
  readonly name: string;
  log(level: Level, message: string, fields?: Fields): void;
  trace(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  named(sub: string): Logger;
  enabled(level: Level): boolean;
}

function quote(v: string): string {
  return /^[^\s"=]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
}

export function formatLine(
  format: LogFormat,
  time: Date,
  level: Level,
  name: string,
  message: string,
  fields: Fields = {},
): string {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined) as [string, string | number | boolean][];
  if (format === 'json') {
    return JSON.stringify({
      '@level': level,
      '@message': message,
      '@module': name,
      '@timestamp': time.toISOString(),
      ...Object.fromEntries(entries),
    });
  }
  const kv = entries.map(([k, v]) => `${k}=${quote(String(v))}`).join(' ');
  return `${time.toISOString()} ${TAGS[level]} ${name}: ${message}${kv ? `: ${kv}` : ''}`;
}

export function createLogger(opts: {
  name: string;
  level: Level;
  format: LogFormat;
  write: (line: string) => void;
  now?: () => Date;
}): Logger {
  const now = opts.now ?? (() => new Date());
  const enabled = (level: Level) => ORDER[level] >= ORDER[opts.level];
  const log = (level: Level, message: string, fields?: Fields) => {
    if (enabled(level)) opts.write(`${formatLine(opts.format, now(), level, opts.name, message, fields)}\n`);
  };
  return {
    name: opts.name,
    log,
    trace: (m, f) => log('trace', m, f),
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    named: (sub) => createLogger({ ...opts, name: `${opts.name}.${sub}` }),
    enabled,
  };
}
