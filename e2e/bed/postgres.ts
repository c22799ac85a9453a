import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { ManagedProcess, runToCompletion } from './processes.js';
import type { PostgresBinaries } from './provision.js';
import { makeTempDir, removeDir } from './tmp.js';

export interface Postgres {
  readonly port: number;
  readonly superuser: string;
  readonly password: string;
  /** `postgresql://...@127.0.0.1:<port>/postgres` for the superuser. */
  readonly url: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** PostgreSQL refuses to run as root; run it as `postgres` when that user exists, else `nobody`. */
function serverUser(): { uid: number; gid: number; name: string } {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid), name };
  }
  throw new Error('no unprivileged user (postgres or nobody) to run PostgreSQL as');
}

/** A throwaway PostgreSQL: initdb into a temp dir, listen on 127.0.0.1 on a free port, password auth over TCP. */
export async function startPostgres(bins: PostgresBinaries): Promise<Postgres> {
  const dir = makeTempDir('postgres');
  const user = process.getuid?.() === 0 ? serverUser() : undefined;
  const data = join(dir, 'data');
  const password = randomBytes(16).toString('hex');
  const superuser = 'postgres';
  mkdirSync(data, { mode: 0o700 });
  writeFileSync(join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  chmodSync(dir, 0o755);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
    chownSync(join(dir, 'pwfile'), user.uid, user.gid);
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const env = { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: dir };
  let proc: ManagedProcess | undefined;
  const stop = async () => {
    // SIGINT is PostgreSQL's "fast" shutdown: roll back sessions and exit at once.
    await proc?.stop({ signal: 'SIGINT', graceMs: 10_000 });
    removeDir(dir);
  };
  try {
    await runToCompletion({
      name: 'initdb',
      command: bins.initdb,
      args: [
        '-D',
        data,
        '-U',
        superuser,
        `--pwfile=${join(dir, 'pwfile')}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--no-sync',
      ],
      env,
      cwd: dir,
      timeoutMs: 120_000,
      ...asUser,
    });
    const port = await freePort();
    proc = new ManagedProcess({
      name: 'postgres',
      command: bins.postgres,
      args: [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=50',
      ],
      env,
      cwd: dir,
      logFile: join(dir, 'postgres.log'),
      ...asUser,
    });
    await proc.waitForLine(/database system is ready to accept connections/, 60_000);
    return {
      port,
      superuser,
      password,
      url: `postgresql://${superuser}:${password}@127.0.0.1:${port}/postgres`,
      process: proc,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
