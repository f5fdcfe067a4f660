/** Prints a line of a bench's own narration, told apart from the services' and the emulator's lines. */
export type BenchLog = (message: string) => void;

/** A log whose lines start with `[<tag> hh:mm:ss]`. */
export function benchLog(tag: string): BenchLog {
  return (message) => console.log(`[${tag} ${new Date().toISOString().slice(11, 19)}] ${message}`);
}
