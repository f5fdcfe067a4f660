import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Pool } from 'undici';
import { type ReplyCounts, readReplyCounts } from './reply.parser';

/** What came back for one request: a reply with its status, or a failure before any reply. */
export type SendOutcome =
  | ({ kind: 'reply'; status: number; elapsedMs: number; detail?: string } & ReplyCounts)
  | { kind: 'failure'; reason: 'connection' | 'timeout' | 'abandoned'; elapsedMs: number; message: string };

export interface HttpSenderOptions {
  endpoint: string;
  /** Give up on a request after this long. */
  requestTimeoutMs: number;
  /** Connections kept to the endpoint; undefined opens one per concurrent request, without limit. */
  connections?: number;
  /** Compress each body with gzip and send it with `Content-Encoding: gzip`. @default false */
  gzip?: boolean;
}

/** Reply bodies are read for their counts only up to this size; a gateway's summary is far smaller. */
const MAX_PARSED_REPLY_BYTES = 1_048_576;
const PLAIN_HEADERS = { 'content-type': 'application/json' };
const GZIP_HEADERS = { ...PLAIN_HEADERS, 'content-encoding': 'gzip' };
const gzipAsync = promisify(gzip);
const DETAIL_LENGTH = 200;

/**
 * POSTs bodies to the one endpoint over keep-alive connections, with `Content-Type: application/json`
 * and no header of its own beyond what HTTP itself needs (Host, Content-Length, Connection), as the
 * real publisher does (with `--gzip`, also `Content-Encoding: gzip` over a compressed body). Never retries: a
 * failure is reported and the batch is the caller's to drop.
 */
export class HttpSender {
  private readonly pool: Pool;
  private readonly path: string;
  /** One controller per request in flight, so a stop can cut them short. */
  private readonly inFlight = new Set<AbortController>();
  private abandoned = false;

  constructor(private readonly options: HttpSenderOptions) {
    const url = new URL(options.endpoint);
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? null,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
    });
  }

  async send(body: Buffer): Promise<SendOutcome> {
    // Compressed on libuv's thread pool, before the clock starts: the reply time stays the receiver's.
    const wire = this.options.gzip ? await gzipAsync(body) : body;
    const started = performance.now();
    // A plain controller and timer per request: AbortSignal.any over a long-lived signal keeps
    // bookkeeping for every request ever made, which adds up over millions of requests.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.requestTimeoutMs);
    this.inFlight.add(controller);
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: this.options.gzip ? GZIP_HEADERS : PLAIN_HEADERS,
        body: wire,
        signal: controller.signal,
      });
      const text = await response.body.text();
      const elapsedMs = performance.now() - started;
      const counts = text.length <= MAX_PARSED_REPLY_BYTES ? readReplyCounts(text) : {};
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return {
        kind: 'reply',
        status: response.statusCode,
        elapsedMs,
        ...counts,
        ...(ok || text.length === 0 ? {} : { detail: text.slice(0, DETAIL_LENGTH).replace(/\s+/g, ' ') }),
      };
    } catch (error) {
      const elapsedMs = performance.now() - started;
      const reason = this.abandoned ? 'abandoned' : timedOut ? 'timeout' : 'connection';
      return { kind: 'failure', reason, elapsedMs, message: describeError(error) };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  /** Cuts every request still in flight short; they report as `abandoned`. */
  abandonInFlight(): void {
    this.abandoned = true;
    for (const controller of this.inFlight) controller.abort();
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`;
}
