import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  index: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** performance.now() when the body was complete, and when the reply was sent (undefined until then). */
  receivedAt: number;
  repliedAt?: number;
  /** Wall-clock time the body was complete, to compare event timestamps with. */
  receivedAtEpochMs: number;
  /** Body bytes as they travelled (compressed with `--gzip`). */
  bytes: number;
  events: Array<Record<string, unknown>>;
}

/** How the receiver answers a request: a status after a delay, or a dropped connection. */
export type ReceiverReply = { status: number; delayMs?: number; body?: unknown } | { destroy: true };

/**
 * A local HTTP receiver for the emulator's tests: records every request (headers, parsed body,
 * times), answers as `reply` says, and tracks how many requests were open at once.
 */
export class RecordingReceiver {
  readonly requests: ReceivedRequest[] = [];
  maxConcurrent = 0;
  private open = 0;
  private readonly server: Server;

  private constructor(private readonly reply: (request: ReceivedRequest) => ReceiverReply) {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  static async start(
    reply: (request: ReceivedRequest) => ReceiverReply = () => ({ status: 202 }),
  ): Promise<RecordingReceiver> {
    const receiver = new RecordingReceiver(reply);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every event received, in arrival order. */
  get events(): Array<Record<string, unknown>> {
    return this.requests.flatMap((request) => request.events);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.open += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const sent = Buffer.concat(chunks);
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(sent) : sent;
      const received: ReceivedRequest = {
        index: this.requests.length,
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        receivedAt: performance.now(),
        receivedAtEpochMs: Date.now(),
        bytes: sent.length,
        events: JSON.parse(body.toString('utf8')) as Array<Record<string, unknown>>,
      };
      this.requests.push(received);
      const answer = this.reply(received);
      if ('destroy' in answer) {
        this.open -= 1;
        request.socket.destroy();
        return;
      }
      setTimeout(() => {
        received.repliedAt = performance.now();
        this.open -= 1;
        const payload = JSON.stringify(answer.body ?? { accepted: received.events.length, rejected: 0 });
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(payload);
      }, answer.delayMs ?? 0);
    });
  }
}
