import { readFile, readdir, readlink } from 'node:fs/promises';

/** A TCP socket of this machine's network namespace, from /proc/net/tcp and /proc/net/tcp6. */
export interface TcpSocket {
  localPort: number;
  /** Kernel state in hex, e.g. `0A` for LISTEN, `01` for ESTABLISHED. */
  state: string;
  inode: string;
}

/** TCP state "LISTEN" in /proc/net/tcp. */
export const TCP_LISTEN = '0A';

export async function readTcpSockets(): Promise<TcpSocket[]> {
  const sockets: TcpSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      const localPort = Number.parseInt(local?.split(':')[1] ?? '', 16);
      if (state && inode && Number.isInteger(localPort)) sockets.push({ localPort, state, inode });
    }
  }
  return sockets;
}

/** Inodes of the sockets a process holds open; empty when it has ended or is not ours to read. */
export async function socketInodesOf(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const descriptors = await readdir(`/proc/${pid}/fd`).catch((): string[] => []);
  for (const descriptor of descriptors) {
    const target = await readlink(`/proc/${pid}/fd/${descriptor}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  return inodes;
}

/** Local ports of the TCP sockets a process holds: for a client, the ports its connections come from. */
export async function localTcpPortsOf(pid: number, sockets: readonly TcpSocket[]): Promise<Set<number>> {
  const inodes = await socketInodesOf(pid);
  return new Set(sockets.filter((socket) => inodes.has(socket.inode)).map((socket) => socket.localPort));
}
