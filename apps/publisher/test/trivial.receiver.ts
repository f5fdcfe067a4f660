import { createServer } from 'node:http';

/**
 * The cheapest possible receiver, to measure how fast the emulator itself can generate and send:
 * it reads each body without parsing it and answers 202 with an empty JSON object.
 * Run: `npx tsx apps/publisher/test/trivial.receiver.ts [port]` (default 18080).
 */
const port = Number(process.argv[2] ?? 18_080);
let requests = 0;
let bytes = 0;

const server = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    requests += 1;
    response.writeHead(202, { 'content-type': 'application/json' }).end('{}');
  });
});

server.listen(port, '127.0.0.1', () => console.log(`trivial receiver on http://127.0.0.1:${port}/webhook`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.log(`trivial receiver: ${requests} requests, ${(bytes / 1_000_000).toFixed(1)} MB`);
    server.close();
    server.closeAllConnections();
  });
}
