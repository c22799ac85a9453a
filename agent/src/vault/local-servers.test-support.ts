/**
 * Local HTTP(S) servers for the client's transport tests: behaviour a real Vault cannot be made to show
 * (5xx, 412, dropped connections, slow answers, TLS variants). Loopback only, port 0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createCertificateAuthority, issueCertificate } from '../../../certs/src/authority.js';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** CN of the client certificate, when one was presented. */
  readonly clientCommonName: string | undefined;
  /** The client's port: equal ports mean a reused (kept-alive) connection. */
  readonly remotePort: number | undefined;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, index: number) => void;

export interface LocalServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface TlsServerOptions {
  readonly certPem: string;
  readonly keyPem: string;
  /** Require a client certificate signed by this CA. */
  readonly clientCaPem?: string;
}

/** Answers with `status` and a JSON (or raw string) body. */
export function reply(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(status, text === '' ? {} : { 'content-type': 'application/json' });
  res.end(text);
}

/** Listens on a free loopback port; `close` also destroys every socket still open (tracked in `sockets`). */
async function listenOnLoopback(
  server: Server,
  sockets: Set<Socket>,
): Promise<{ port: number; close(): Promise<void> }> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startServer(handler: Handler, tls?: TlsServerOptions): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const peer = (req.socket as TLSSocket).getPeerCertificate?.();
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        clientCommonName: peer && typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined,
        remotePort: req.socket.remotePort,
      };
      requests.push(recorded);
      handler(recorded, res, requests.length - 1);
    });
  };
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: tls.certPem,
          key: tls.keyPem,
          ...(tls.clientCaPem ? { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: true } : {}),
        },
        listener,
      )
    : createHttpServer(listener);
  const { port, close } = await listenOnLoopback(server, sockets);
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, requests, close };
}

/** A CONNECT proxy that records the targets it tunnelled to. */
export async function startConnectProxy(): Promise<LocalServer & { readonly tunnels: string[] }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => reply(res, 405));
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const [host = '', port = '0'] = target.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
  });
  const { port, close } = await listenOnLoopback(server, sockets);
  return { url: `http://127.0.0.1:${port}`, requests: [], tunnels, close };
}

/** A CA, serving certificates (one for 127.0.0.1, one only for the DNS name `vault.test`) and a client cert, as files. */
export interface TestPki {
  readonly dir: string;
  readonly caPem: string;
  readonly caFile: string;
  readonly caDir: string;
  readonly loopback: { readonly certPem: string; readonly keyPem: string };
  readonly namedOnly: { readonly certPem: string; readonly keyPem: string };
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A second, unrelated CA (PEM). */
  readonly otherCaPem: string;
  remove(): void;
}

export async function makeTestPki(): Promise<TestPki> {
  const now = new Date();
  const validForMs = 3600_000;
  const ca = await createCertificateAuthority({ commonName: 'vault-client-test-ca', now, validForMs });
  const other = await createCertificateAuthority({ commonName: 'unrelated-ca', now, validForMs });
  const loopback = await issueCertificate(ca, {
    commonName: '127.0.0.1',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    now,
    validForMs,
  });
  const namedOnly = await issueCertificate(ca, {
    commonName: 'vault.test',
    dnsNames: ['vault.test'],
    usage: 'server',
    now,
    validForMs,
  });
  const client = await issueCertificate(ca, { commonName: 'agent-client', usage: 'client', now, validForMs });
  const dir = mkdtempSync(join(tmpdir(), 'vault-client-test-'));
  const caDir = join(dir, 'cas');
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const caFile = write('ca.pem', ca.certPem);
  mkdirSync(caDir);
  writeFileSync(join(caDir, 'a-unrelated.pem'), other.certPem);
  writeFileSync(join(caDir, 'b-ours.crt'), ca.certPem);
  return {
    dir,
    caPem: ca.certPem,
    caFile,
    caDir,
    loopback,
    namedOnly,
    clientCertFile: write('client.pem', client.certPem),
    clientKeyFile: write('client-key.pem', client.keyPem),
    otherCaPem: other.certPem,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
