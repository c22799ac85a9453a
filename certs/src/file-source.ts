import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';

/** What the TLS server serves, and the CA to publish in the webhook's caBundle (when known). */
export interface CertBundle {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem?: string;
}

/** Checks that the PEMs parse and that the key belongs to the certificate; returns a reason if not. */
export function bundleProblem(b: CertBundle): string | undefined {
  try {
    const cert = new X509Certificate(b.certPem);
    const fromKey = createPublicKey(createPrivateKey(b.keyPem)).export({ type: 'spki', format: 'der' });
    if (!Buffer.from(cert.publicKey.export({ type: 'spki', format: 'der' })).equals(Buffer.from(fromKey))) {
      return 'the private key does not match the certificate';
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface FileCertSourceOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile?: string;
  /** Called with each new valid bundle (bytes differ from the last one). */
  readonly onBundle: (bundle: CertBundle) => void;
  readonly onError: (message: string) => void;
  /** A periodic re-read in case a watch event was missed (controller-runtime polls every 10 s). */
  readonly pollMs?: number;
}

/**
 * Certificates from files, reloaded when they change. Kubernetes Secret volumes swap a `..data`
 * symlink rather than writing the files, so we watch the directories, not the files, and re-read.
 */
export class FileCertSource {
  private last: CertBundle | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private rejected: string | undefined;

  constructor(private readonly opts: FileCertSourceOptions) {}

  get current(): CertBundle | undefined {
    return this.last;
  }

  /** Loads once (throwing if the files are unusable), then watches. */
  async start(): Promise<CertBundle> {
    const first = await this.read();
    const problem = bundleProblem(first);
    if (problem) throw new Error(`TLS files ${this.opts.certFile} / ${this.opts.keyFile} are not usable: ${problem}`);
    this.last = first;
    const dirs = [
      ...new Set(
        [this.opts.certFile, this.opts.keyFile, this.opts.caFile].filter((f) => f !== undefined).map((f) => dirname(f)),
      ),
    ];
    this.watcher = watch(dirs, { ignoreInitial: true, depth: 1, followSymlinks: true });
    this.watcher.on('all', () => this.reload());
    this.watcher.on('error', (err) => this.opts.onError(`watching TLS files: ${(err as Error).message}`));
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
    this.timer = setInterval(() => this.reload(), this.opts.pollMs ?? 10_000);
    this.timer.unref();
    return first;
  }

  /** Re-reads the files; serialised so bursts of events cause ordered reads. */
  reload(): Promise<void> {
    this.reading = this.reading.then(async () => {
      let next: CertBundle;
      try {
        next = await this.read();
      } catch (err) {
        this.opts.onError(`reading TLS files: ${(err as Error).message}`);
        return;
      }
      if (
        this.last &&
        next.certPem === this.last.certPem &&
        next.keyPem === this.last.keyPem &&
        next.caPem === this.last.caPem
      )
        return;
      const problem = bundleProblem(next);
      if (problem) {
        // half-written or mismatched pair: keep serving the old one until both files agree (said once per content)
        const key = `${next.certPem}\0${next.keyPem}\0${next.caPem ?? ''}`;
        if (key !== this.rejected) this.opts.onError(`new TLS files not used yet: ${problem}`);
        this.rejected = key;
        return;
      }
      this.last = next;
      this.opts.onBundle(next);
    });
    return this.reading;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.watcher?.close();
    await this.reading;
  }

  private async read(): Promise<CertBundle> {
    const [certPem, keyPem, caPem] = await Promise.all([
      readFile(this.opts.certFile, 'utf8'),
      readFile(this.opts.keyFile, 'utf8'),
      this.opts.caFile ? readFile(this.opts.caFile, 'utf8') : Promise.resolve(undefined),
    ]);
    return { certPem, keyPem, ...(caPem !== undefined ? { caPem } : {}) };
  }
}
