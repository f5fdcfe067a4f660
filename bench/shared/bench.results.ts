import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@evp/testing';

/** Where every bench writes its figures (ignored by git). */
const RESULTS_DIRECTORY = join(REPO_ROOT, 'bench', 'results');

/** Writes a file under bench/results/ and returns its path. */
export async function writeResultFile(name: string, content: string): Promise<string> {
  await mkdir(RESULTS_DIRECTORY, { recursive: true });
  const path = join(RESULTS_DIRECTORY, name);
  await writeFile(path, content);
  return path;
}

/** The machine a run's figures were measured on, with its load at the end of the run. */
export function machineInfo(): { cpus: number; cpuModel: string; node: string; loadAverage: number[] } {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: loadavg(),
  };
}
