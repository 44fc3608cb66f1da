// "Start Docker": the ways `helix start` tries to bring a stopped engine up (Docker Desktop, colima, podman
// machine; on Linux the user's systemd units), tried in order until one succeeds, then waiting until the
// engine answers. A system-wide docker service on Linux needs root: that is left to the user, in a terminal.

export type Attempt = readonly [command: string, args: readonly string[]];

export function startAttempts(platform: NodeJS.Platform): Attempt[] {
  if (platform === 'darwin')
    return [
      ['open', ['-a', 'Docker']],
      ['colima', ['start']],
      ['podman', ['machine', 'start']],
    ];
  if (platform === 'win32')
    return [
      ['cmd.exe', ['/c', 'start', '', 'Docker Desktop']],
      ['podman', ['machine', 'start']],
    ];
  return [
    ['systemctl', ['--user', 'start', 'docker-desktop']],
    ['systemctl', ['--user', 'start', 'docker']],
    ['systemctl', ['--user', 'start', 'podman.socket']],
  ];
}

export interface StartEngineDeps {
  platform: NodeJS.Platform;
  /** Runs a command (argument array, no shell); rejects when it cannot be started at all. */
  run(command: string, args: readonly string[]): Promise<{ code: number | null }>;
  /** True once the engine answers. */
  ping(): Promise<boolean>;
  /** Whether a system-wide service manager exists (Linux: /usr/bin/systemctl). */
  hasSystemService(): boolean;
  sleep?(ms: number): Promise<void>;
}

export type StartEngineResult =
  /** A command started it and the engine answers. */
  | { state: 'started'; by: string }
  /** A command succeeded but the engine did not answer in time (Docker Desktop can take a minute). */
  | { state: 'starting'; by: string }
  /** Only root can start it here: the command for the user to run. */
  | { state: 'needs-root'; command: string[] }
  | { state: 'failed'; tried: string[] };

export async function startEngine(
  deps: StartEngineDeps,
  opts: { waitMs?: number; signal?: AbortSignal } = {},
): Promise<StartEngineResult> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const tried: string[] = [];
  for (const [cmd, args] of startAttempts(deps.platform)) {
    const line = [cmd, ...args].join(' ');
    tried.push(line);
    const ok = await deps.run(cmd, args).then(
      (r) => r.code === 0,
      () => false,
    );
    if (!ok) continue;
    const end = Date.now() + (opts.waitMs ?? 30_000);
    for (;;) {
      if (await deps.ping().catch(() => false)) return { state: 'started', by: line };
      if (Date.now() >= end || opts.signal?.aborted) return { state: 'starting', by: line };
      await sleep(500);
    }
  }
  if (deps.platform === 'linux' && deps.hasSystemService())
    return { state: 'needs-root', command: ['sudo', 'systemctl', 'start', 'docker'] };
  return { state: 'failed', tried };
}
