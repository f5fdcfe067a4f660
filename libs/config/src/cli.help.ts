/**
 * Prints `usage` and exits 0 when the command line asks for help (`--help` or `-h`). Called first, before the
 * command's own parsing, which would call the flag unknown, and before any work starts.
 */
export function exitWithUsageOnHelp(usage: string, args: readonly string[] = process.argv.slice(2)): void {
  if (!args.includes('--help') && !args.includes('-h')) return;
  process.stdout.write(`${usage.trim()}\n`);
  process.exit(0);
}
