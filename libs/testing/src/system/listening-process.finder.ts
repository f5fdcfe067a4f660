import { readFile, readdir, readlink } from 'node:fs/promises';

/** TCP state "LISTEN" in /proc/net/tcp. */
const LISTEN = '0A';

/**
 * The process listening on a local TCP port, found through the inode of its socket, or undefined (nothing listens,
 * or the listener is another machine's). Unlike a match on the command line, it finds a server started from a
 * configuration file, and tells the machine's nats-server from the private ones tests start beside it.
 */
export async function findListeningProcess(port: number): Promise<number | undefined> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (state === LISTEN && inode && Number.parseInt(local?.split(':')[1] ?? '', 16) === port) inodes.add(inode);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const descriptors = await readdir(`/proc/${entry}/fd`).catch((): string[] => []);
    for (const descriptor of descriptors) {
      const target = await readlink(`/proc/${entry}/fd/${descriptor}`).catch(() => '');
      if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')) return Number(entry);
    }
  }
  return undefined;
}
