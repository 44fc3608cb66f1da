/** A `helix-deploy` subcommand. `run` returns the process exit code (0 ok, 1 failure found, 2 usage error). */
export interface CliCommand {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
