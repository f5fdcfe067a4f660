import { once } from 'node:events';
import { type AddressInfo, createServer, connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findListeningProcess } from './listening-process.finder';
import { localTcpPortsOf, readTcpSockets } from './tcp-socket.table';

describe('TCP sockets of a process', () => {
  describe('when this process listens and holds a connection to itself', () => {
    it('should name this process as the listener and the client port as one of its own', async () => {
      const server = createServer((socket) => socket.pause());
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const client = connect(port, '127.0.0.1');
      await once(client, 'connect');
      try {
        const ports = await localTcpPortsOf(process.pid, await readTcpSockets());
        expect(ports.has(client.localPort as number)).toBe(true);
        expect(ports.has(port)).toBe(true);
        expect(await findListeningProcess(port)).toBe(process.pid);
      } finally {
        client.destroy();
        server.close();
      }
    });
  });

  describe('when a process has ended', () => {
    it('should hold no ports', async () => {
      expect((await localTcpPortsOf(2 ** 22 + 1, await readTcpSockets())).size).toBe(0);
    });
  });
});
