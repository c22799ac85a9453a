/**
 * Fuzz / property test of the admission path (issue: "at least 10,000 generated AdmissionReviews: no crash,
 * no 5xx, every denial names its cause; report counts").
 *
 * Every generated case goes through the pure API (`decodeReview` + `reviewPod`), where the InjectorError is
 * visible; a deterministic sample (at least 2,000 by default) also goes over HTTP to the in-process server,
 * which must answer exactly what the pure API predicts. FUZZ_SEED (a number or any word) and FUZZ_COUNT
 * (default 10000) reproduce a run; a problem names its case index, and `arbitraryCase(seed, index)` rebuilds
 * that one case alone.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { createLogger } from '../../cli/log.js';
import { arbitraryCase, FUZZ_CONFIGS, type GeneratedCase, parseSeed } from './core/arbitrary-review.js';
import { DENY_STAGES, denyMessage, ERROR_CODES, InjectorError } from './core/errors.js';
import { A, full } from './core/keys.js';
import { type AdmissionResponse, decodeReview, ReviewDecodeError, reviewPod } from './core/review.js';
import { testPod } from './core/test-fixtures.js';
import { WebhookMetrics } from './metrics.js';
import { buildWebhookApp, MAX_BODY_BYTES } from './server.js';

const SEED_TEXT = process.env.FUZZ_SEED ?? '0x5eed2025';
const SEED = parseSeed(SEED_TEXT);
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
const HTTP_MIN = 2_000;
const HTTP_WIDTH = 8;
/** One admission slower than this is a problem in itself (the API server gives a webhook 10 s by default). */
const SLOW_MS = 2_000;
const TOO_LARGE = `request body too large: the limit is ${MAX_BODY_BYTES} bytes`;

type Decoded = ReturnType<typeof decodeReview>;
type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const _podOf = (d: Decoded): Obj | undefined => asObj(d.request.object);
/**
 * Problems this fuzzer found, each scoped as narrowly as the bug so the rest of the run keeps checking:
 * - `hang`: the case is not run at all (it would block the event loop for minutes);
 * - `crash`: a throw from `reviewPod`, or an HTTP 500, is excused only when the input matches; matching
 *   cases otherwise run and are checked as usual, and all of them go over HTTP;
 * - `unnamed`: a denial whose message does not name its annotation is excused for that check only.
 * Test 004 checks that every entry still reproduces, so a fixed bug fails it: then delete the entry.
 */
interface KnownIssue {
  readonly id: string;
  readonly kind: 'hang' | 'crash' | 'unnamed';
  readonly what: string;
  readonly input?: (d: Decoded) => boolean;
  readonly unnamed?: (err: InjectorError) => boolean;
  readonly repro: {
    readonly object: unknown;
    readonly namespace?: string;
    /** `throws`: reviewPod throws; `slow`: reviewPod takes > 250 ms; `5xx`: only the HTTP shell fails. */
    readonly expect: 'throws' | 'slow' | 'unnamed' | '5xx';
  };
}

const injectable = (annotations: Record<string, string> = {}) =>
  testPod({ 'agent-inject': 'true', role: 'r', ...annotations });

// Every issue the fuzzer found (ReDoS in two parsers, crashes on odd pod shapes and deep nesting,
// denials that did not name their annotation) is fixed; add new ones here with a reproducer.
const KNOWN_ISSUES: readonly KnownIssue[] = [];

// ---------------------------------------------------------------------------------------------------

interface Expected {
  readonly status: number;
  readonly text: string;
}

interface Evaluated {
  /** `skipped`, `injected`, `denied CODE`, `400 <reason>` or `known <ISSUE>`. */
  readonly outcome: string;
  /** What the HTTP shell must answer; undefined: not to be sent (a known hang). */
  readonly expected?: Expected;
  /** The input matches this `crash` known issue: an HTTP 500 is excused. */
  readonly knownCrash?: string;
}

const REASONS: readonly [RegExp, string][] = [
  [/^Invalid content-type/, 'wrong content type'],
  [/^Empty request body/, 'empty body'],
  [/body is not JSON/, 'not JSON'],
  [/expected a JSON object/, 'not a JSON object'],
  [/kind is/, 'kind is not AdmissionReview'],
  [/apiVersion/, 'unsupported apiVersion'],
  [/has no request/, 'no request'],
  [/request\.uid is missing/, 'no request.uid'],
  [/too large/, 'body over 7 MiB'],
];
const reasonOf = (text: string) => REASONS.find(([re]) => re.test(text))?.[1] ?? text.slice(0, 40);

class Tally {
  readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  rows(): [string, number][] {
    return [...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

describe('webhook fuzz: generated AdmissionReviews (seeded)', () => {
  const problems: string[] = [];
  const problemKinds = new Tally();
  const pure = new Tally();
  const overHttp = new Tally();
  const known = new Tally();
  const slowest: { ms: number; label: string }[] = [];
  const httpQueue: { c: GeneratedCase; ev: Evaluated & { expected: Expected } }[] = [];
  const uncaught: string[] = [];
  const servers: http.Server[] = [];
  const ports: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_WIDTH });
  const phaseMs = new Map<string, number>();
  let internalErrors = 0;
  let internalErrorsFuzzing = 0;
  let longestDenial = 0;
  let started = 0;

  const onUncaught = (err: unknown) => uncaught.push(`uncaughtException: ${(err as Error)?.stack ?? String(err)}`);
  const onRejection = (err: unknown) => uncaught.push(`unhandledRejection: ${(err as Error)?.stack ?? String(err)}`);

  function problem(c: Pick<GeneratedCase, 'index' | 'tags' | 'body'>, what: string): void {
    problemKinds.add(what.replace(/"[^"]*"/g, '"…"').slice(0, 80));
    const body = c.body.toString('utf8');
    problems.push(
      `case #${c.index} [${c.tags.join(' ')}]: ${what}\n    body (${c.body.length} bytes): ${body.slice(0, 600)}${body.length > 600 ? '…' : ''}`,
    );
  }

  const portFor = (c: GeneratedCase) => ports[c.config] ?? ports[0] ?? 0;
  const configFor = (c: GeneratedCase) => FUZZ_CONFIGS[c.config] ?? FUZZ_CONFIGS[0]!;

  before(async () => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onRejection);
    for (const cfg of FUZZ_CONFIGS) {
      const app = buildWebhookApp({
        cfg,
        // The production default format; the lines are only counted.
        log: createLogger({
          name: 'handler',
          level: 'info',
          format: 'standard',
          write: (line) => {
            if (line.includes('internal error')) internalErrors++;
          },
        }),
        metrics: new WebhookMetrics({ processMetrics: false }),
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      servers.push(server);
      ports.push((server.address() as AddressInfo).port);
    }
    started = performance.now();
  });

  after(async () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
    agent.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const row = (k: string, v: number | string) => `    ${k.padEnd(52)} ${String(v).padStart(7)}`;
    const knownRows = KNOWN_ISSUES.map((k) => {
      const n = (what: string) => known.counts.get(`${k.id} ${what}`) ?? 0;
      const detail =
        k.kind === 'hang'
          ? `${n('skipped')} skipped`
          : k.kind === 'crash'
            ? `${n('matched')} matched, ${n('threw')} threw, ${n('http500')} HTTP 500`
            : `${n('excused')} excused`;
      return `    ${k.id.padEnd(32)} ${k.kind.padEnd(8)} ${detail}`;
    });
    console.log(
      [
        '',
        `  fuzz summary: FUZZ_SEED=${SEED_TEXT} (${SEED}) FUZZ_COUNT=${COUNT}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
        ...[...phaseMs].map(([k, ms]) => row(`  ${k}`, `${(ms / 1000).toFixed(1)} s`)),
        `  pure API (decodeReview + reviewPod): ${pure.total} cases`,
        ...pure.rows().map(([k, v]) => row(k, v)),
        `  over HTTP (127.0.0.1, keep-alive, ${HTTP_WIDTH} at a time): ${overHttp.total} requests`,
        ...overHttp.rows().map(([k, v]) => row(k, v)),
        '  known issues',
        ...knownRows,
        `  longest denial message: ${longestDenial} chars; "internal error" log lines while fuzzing: ${internalErrorsFuzzing}`,
        `  slowest: ${slowest.map((s) => `#${s.label} ${s.ms.toFixed(0)} ms`).join('; ')}`,
        `  problems: ${problems.length}`,
        ...problemKinds.rows().map(([k, v]) => row(k, v)),
        '',
      ].join('\n'),
    );
  });

  /** One case through the pure API, every property checked there; returns what HTTP must answer. */
  function evaluate(c: GeneratedCase): Evaluated {
    const ev = evaluatePure(c);
    // Over the cap the shell answers 413 before decoding; the pure API still had to survive the body.
    if (c.body.length > MAX_BODY_BYTES && ev.expected) return { ...ev, expected: { status: 413, text: TOO_LARGE } };
    return ev;
  }

  function evaluatePure(c: GeneratedCase): Evaluated {
    if (c.body.length === 0)
      return { outcome: '400 empty body', expected: { status: 400, text: 'Empty request body' } };
    const text = c.body.toString('utf8');
    let decoded: Decoded;
    try {
      decoded = decodeReview(text);
    } catch (err) {
      if (!(err instanceof ReviewDecodeError)) {
        problem(c, `decodeReview threw ${(err as Error).stack?.split('\n').slice(0, 4).join(' | ')}`);
        return { outcome: 'CRASH decodeReview' };
      }
      if (err.message.trim() === '') problem(c, 'a decode error without a message');
      return { outcome: `400 ${reasonOf(err.message)}`, expected: { status: 400, text: err.message } };
    }
    const hang = KNOWN_ISSUES.find((k) => k.kind === 'hang' && k.input?.(decoded));
    if (hang) {
      known.add(`${hang.id} skipped`);
      return { outcome: `known ${hang.id}` };
    }
    const crash = KNOWN_ISSUES.find((k) => k.kind === 'crash' && k.input?.(decoded));
    if (crash) known.add(`${crash.id} matched`);

    const t0 = performance.now();
    let outcome: ReturnType<typeof reviewPod>;
    let answer: string;
    try {
      outcome = reviewPod(decoded, configFor(c));
      answer = JSON.stringify(outcome.review);
    } catch (err) {
      if (crash) {
        known.add(`${crash.id} threw`);
        return {
          outcome: `known ${crash.id}`,
          expected: { status: 500, text: 'internal error' },
          knownCrash: crash.id,
        };
      }
      problem(c, `reviewPod threw ${(err as Error).stack?.split('\n').slice(0, 4).join(' | ')}`);
      return { outcome: 'CRASH reviewPod' };
    }
    const ms = performance.now() - t0;
    if (ms > SLOW_MS) problem(c, `took ${ms.toFixed(0)} ms`);
    if (slowest.length < 5 || ms > (slowest.at(-1)?.ms ?? 0)) {
      slowest.push({ ms, label: `${c.index} ${c.tags.slice(0, 2).join(' ')}` });
      slowest.sort((a, b) => b.ms - a.ms);
      slowest.length = Math.min(slowest.length, 5);
    }

    const { review, result } = outcome;
    const { response } = review;
    const uid = decoded.request.uid;
    if (review.kind !== 'AdmissionReview' || review.apiVersion !== decoded.apiVersion || response.uid !== uid) {
      problem(c, `envelope not echoed: kind ${review.kind}, apiVersion ${review.apiVersion}, uid ${response.uid}`);
    }
    let label: string;
    switch (result.kind) {
      case 'skip':
        label = 'skipped';
        if (!isDeepStrictEqual(response, { uid, allowed: true })) problem(c, `skip answered ${answer.slice(0, 300)}`);
        break;
      case 'deny':
        label = `denied ${result.error.code}`;
        checkDenial(c, result.error, response);
        break;
      case 'inject':
        label = 'injected';
        checkPatch(c, text, response, result.pod);
        break;
    }
    return { outcome: label, expected: { status: 200, text: answer }, knownCrash: crash?.id };
  }

  function checkDenial(c: GeneratedCase, err: InjectorError, response: AdmissionResponse): void {
    const message = response.status?.message ?? '';
    longestDenial = Math.max(longestDenial, message.length);
    if (!(err instanceof InjectorError) || !(ERROR_CODES as readonly string[]).includes(err.code)) {
      problem(c, `a denial without one of our error codes: ${String(err)}`);
    }
    const shape = { uid: response.uid, allowed: false, status: { metadata: {}, message: denyMessage(err) } };
    if (!isDeepStrictEqual(response, shape)) problem(c, `denial shape: ${JSON.stringify(response).slice(0, 300)}`);
    const prefix = DENY_STAGES[err.stage];
    if (!message.startsWith(prefix) || message.slice(prefix.length).trim() === '') {
      problem(c, `a denial without its stage prefix or a cause: ${JSON.stringify(message)}`);
    }
    if (err.stage === 'decode' && !message.startsWith('request.object')) {
      problem(c, `a decode denial that does not name request.object: ${JSON.stringify(message)}`);
    }
    if (err.annotation !== undefined && !message.includes(full(err.annotation))) {
      const excuse = KNOWN_ISSUES.find((k) => k.unnamed?.(err));
      if (excuse) known.add(`${excuse.id} excused`);
      else
        problem(
          c,
          `${err.code} denial does not name ${full(err.annotation)}: ${JSON.stringify(message.slice(0, 300))}`,
        );
    }
  }

  function checkPatch(c: GeneratedCase, text: string, response: AdmissionResponse, pod: unknown): void {
    if (response.allowed !== true || response.patchType !== 'JSONPatch' || typeof response.patch !== 'string') {
      problem(c, `an injection without a JSONPatch: ${JSON.stringify(response).slice(0, 300)}`);
      return;
    }
    try {
      const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[];
      // Applied to the request object as the API server holds it, not to the one reviewPod saw.
      const object = (JSON.parse(text) as { request: { object: unknown } }).request.object;
      const applied = fastJsonPatch.applyPatch(object, ops, true, true).newDocument;
      if (!isDeepStrictEqual(applied, JSON.parse(JSON.stringify(pod)))) {
        problem(c, 'the patch does not produce the mutated pod');
      }
      const status = asObj(asObj(asObj(applied)?.metadata)?.annotations)?.[full(A.status)];
      if (status !== 'injected') problem(c, `the patched pod has ${full(A.status)}=${String(status)}`);
    } catch (err) {
      problem(c, `the patch does not apply: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /** One request; a keep-alive socket the server closed while idle is retried once, as Node's docs advise. */
  function send(
    port: number,
    c: Pick<GeneratedCase, 'body' | 'contentType' | 'method' | 'path'>,
    opts: { chunked?: boolean; agent?: http.Agent } = {},
    retried = false,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (!opts.chunked) headers['content-length'] = c.body.length;
      if (c.contentType !== undefined) headers['content-type'] = c.contentType;
      let answered = false;
      const req = http.request(
        { host: '127.0.0.1', port, method: c.method, path: c.path, agent: opts.agent ?? agent, headers },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      // The server may answer 413 and close before reading the whole body: the write error that follows is fine.
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (answered) return;
        if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) send(port, c, opts, true).then(resolve, reject);
        else reject(err);
      });
      if (opts.chunked) {
        for (let i = 0; i < c.body.length; i += 1 << 20) req.write(c.body.subarray(i, i + (1 << 20)));
        req.end();
      } else req.end(c.body);
    });
  }

  function checkHttp(c: GeneratedCase, ev: Evaluated & { expected: Expected }, got: { status: number; text: string }) {
    if (ev.knownCrash && got.status === 500) {
      overHttp.add(`500 known ${ev.knownCrash}`);
      known.add(`${ev.knownCrash} http500`);
      return;
    }
    overHttp.add(
      got.status === 200 ? `200 ${ev.outcome.replace(/^denied .*/, 'denied')}` : `${got.status} ${reasonOf(got.text)}`,
    );
    if (got.status >= 500) {
      problem(c, `HTTP ${got.status}: ${got.text.slice(0, 200)}`);
      return;
    }
    if (got.status >= 400 && got.text.trim() === '') problem(c, `HTTP ${got.status} without a text`);
    if (!c.contentTypeOk) {
      if (got.status !== 400 || !got.text.startsWith('Invalid content-type')) {
        problem(c, `content type ${String(c.contentType)} answered ${got.status} ${got.text.slice(0, 100)}`);
      }
      return;
    }
    const { status, text } = ev.expected;
    const want = status === 200 ? text : `${text}\n`;
    if (got.status !== status || got.text !== want) {
      problem(c, `HTTP ${got.status} ${got.text.slice(0, 200)}, but the pure API says ${status} ${want.slice(0, 200)}`);
    }
  }

  const failures = (from: number) => {
    const mine = problems.slice(from);
    return `${mine.length} problems (FUZZ_SEED=${SEED_TEXT}):\n${mine.slice(0, 15).join('\n')}`;
  };

  it(`001 ${COUNT} generated reviews through the pure API: no throw, denials name their cause, patches apply`, function () {
    this.timeout(600_000);
    const t0 = performance.now();
    const stride = Math.max(1, Math.floor(COUNT / HTTP_MIN));
    for (let i = 0; i < COUNT; i++) {
      const c = arbitraryCase(SEED, i);
      const ev = evaluate(c);
      pure.add(ev.outcome);
      if (ev.expected && (c.httpOnly || ev.knownCrash || i % stride === 0))
        httpQueue.push({ c, ev: { ...ev, expected: ev.expected } });
    }
    phaseMs.set('pure API', performance.now() - t0);
    assert.equal(problems.length, 0, failures(0));
  });

  it(`002 a sample of at least ${Math.min(HTTP_MIN, COUNT)} over HTTP gets exactly the pure answer, never a 5xx`, async function () {
    this.timeout(600_000);
    const t0 = performance.now();
    const before = problems.length;
    let next = 0;
    const worker = async () => {
      for (let item = httpQueue[next++]; item; item = httpQueue[next++]) {
        try {
          checkHttp(item.c, item.ev, await send(portFor(item.c), item.c));
        } catch (err) {
          overHttp.add('request failed');
          problem(item.c, `request failed: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: HTTP_WIDTH }, worker));
    phaseMs.set('HTTP sample', performance.now() - t0);
    assert.ok(httpQueue.length >= Math.min(HTTP_MIN, COUNT) * 0.9, `only ${httpQueue.length} cases went over HTTP`);
    assert.equal(problems.length, before, failures(before));
  });

  it('003 huge bodies: up to the 7 MiB cap answered as the pure API says, over it 413', async function () {
    this.timeout(120_000);
    const t0 = performance.now();
    const before = problems.length;
    const padded = (bytes: number, key: string): Buffer => {
      const shell = JSON.stringify({
        kind: 'AdmissionReview',
        apiVersion: 'admission.k8s.io/v1',
        request: { uid: `huge-${bytes}`, namespace: 'app', operation: 'CREATE', object: injectable({ [key]: 'PAD' }) },
      });
      const body = Buffer.from(shell.replace('"PAD"', `"${'p'.repeat(bytes - Buffer.byteLength(shell) + 3)}"`));
      assert.equal(body.length, bytes);
      return body;
    };
    const half = (MAX_BODY_BYTES - 2) / 2;
    const secrets = Object.fromEntries(
      Array.from({ length: 2_000 }, (_, i) => [`agent-inject-secret-s${i}`, `kv/data/s${i}`]),
    );
    const cases: { name: string; body: Buffer; chunked?: boolean; status: number }[] = [
      {
        name: 'exactly the cap, big foreign annotation',
        body: padded(MAX_BODY_BYTES, 'example.com/blob'),
        status: 200,
      },
      { name: 'cap - 1, big template', body: padded(MAX_BODY_BYTES - 1, 'agent-inject-template-big'), status: 200 },
      { name: 'cap + 1', body: padded(MAX_BODY_BYTES + 1, 'example.com/blob'), status: 413 },
      { name: '8 MiB chunked', body: padded(8 << 20, 'example.com/blob'), chunked: true, status: 413 },
      { name: 'cap, nested 3.6M deep', body: Buffer.from(`${'['.repeat(half)}${']'.repeat(half)}`), status: 400 },
      {
        name: '2,000 secrets',
        body: Buffer.from(
          JSON.stringify({
            kind: 'AdmissionReview',
            apiVersion: 'admission.k8s.io/v1beta1',
            request: { uid: 'wide', namespace: 'app', object: injectable(secrets) },
          }),
        ),
        status: 200,
      },
    ];
    const fresh = new http.Agent({ keepAlive: false });
    for (const [i, h] of cases.entries()) {
      const c: GeneratedCase = {
        index: -(i + 1),
        tags: [`huge:${h.name}`],
        body: h.body,
        contentType: 'application/json',
        contentTypeOk: true,
        method: 'POST',
        path: '/mutate',
        config: 0,
        httpOnly: false,
      };
      const ev = evaluate(c);
      pure.add(`huge: ${ev.outcome}`);
      if (!ev.expected) continue;
      const got = await send(portFor(c), c, { chunked: h.chunked ?? false, agent: fresh });
      checkHttp(c, { ...ev, expected: ev.expected }, got);
      if (got.status !== h.status) problem(c, `expected HTTP ${h.status}, got ${got.status}`);
    }
    fresh.destroy();
    phaseMs.set('huge bodies', performance.now() - t0);
    internalErrorsFuzzing = internalErrors;
    assert.equal(problems.length, before, failures(before));
  });

  it('004 every KNOWN_ISSUES entry still reproduces (once its bug is fixed, delete the entry)', async function () {
    this.timeout(60_000);
    const wrong: string[] = [];
    for (const k of KNOWN_ISSUES) {
      const request = { uid: 'repro', namespace: k.repro.namespace ?? 'app', object: k.repro.object };
      const decoded = { apiVersion: 'admission.k8s.io/v1', request };
      if (k.input && !k.input(decoded)) wrong.push(`${k.id}: its repro does not match its own input predicate`);
      let reproduced = false;
      if (k.repro.expect === '5xx') {
        const body = Buffer.from(JSON.stringify({ kind: 'AdmissionReview', ...decoded }));
        const got = await send(ports[0] ?? 0, {
          body,
          contentType: 'application/json',
          method: 'POST',
          path: '/mutate',
        });
        reproduced = got.status >= 500;
      } else {
        const t0 = performance.now();
        try {
          const { result } = reviewPod(decoded, FUZZ_CONFIGS[0]!);
          if (k.repro.expect === 'unnamed' && result.kind === 'deny') {
            const err = result.error;
            reproduced = err.annotation !== undefined && !denyMessage(err).includes(full(err.annotation));
            if (reproduced && !k.unnamed?.(err)) wrong.push(`${k.id}: its repro is not excused by its own predicate`);
          }
        } catch {
          reproduced = k.repro.expect === 'throws';
        }
        if (k.repro.expect === 'slow') reproduced = performance.now() - t0 > 250;
      }
      if (!reproduced) wrong.push(`${k.id} no longer reproduces: delete it from KNOWN_ISSUES`);
    }
    assert.deepEqual(wrong, []);
  });

  it('005 no uncaught exception, unhandled rejection or unexcused internal error while fuzzing', () => {
    assert.deepEqual(uncaught, []);
    const excused = KNOWN_ISSUES.reduce((sum, k) => sum + (known.counts.get(`${k.id} http500`) ?? 0), 0);
    assert.equal(internalErrorsFuzzing, excused, 'every "internal error" log line is an excused known-issue 500');
  });
});
