import { readdir } from 'node:fs/promises';
import { TCP_LISTEN, readTcpSockets, socketInodesOf } from './tcp-socket.table';

/**
 * The process listening on a local TCP port, found through the inode of its socket, or undefined (nothing listens,
 * or the listener is another machine's). Unlike a match on the command line, it finds a server started from a
 * configuration file, and tells the machine's nats-server from the private ones tests start beside it.
 */
export async function findListeningProcess(port: number): Promise<number | undefined> {
  const sockets = await readTcpSockets();
  const listening = new Set(
    sockets.filter((socket) => socket.state === TCP_LISTEN && socket.localPort === port).map((socket) => socket.inode),
  );
  if (listening.size === 0) return undefined;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const inodes = await socketInodesOf(Number(entry));
    if ([...inodes].some((inode) => listening.has(inode))) return Number(entry);
  }
  return undefined;
}
