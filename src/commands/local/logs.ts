import * as vscode from 'vscode';
import type { Container } from '../../container';
import { messageOf } from '../../core/errors';
import { LogFollower } from '../../core/logs/follower';
import type { LocalRuntime } from '../../services/local/runtime';

// Show Logs: one output channel per container, fed by a LogFollower that survives restarts.
// Options (tail / since) are asked once and remembered per workspace.

const LAST = 'helixDeploy.local.logsMode';

interface Session {
  channel: vscode.OutputChannel;
  follower: LogFollower;
}

export class LogSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly c: Container,
    private readonly rt: LocalRuntime,
  ) {}

  /** `mask` hides the values of secret-looking `.env` keys should the app print them. */
  async show(container: string, ask = true, mask: (s: string) => string = (s) => s): Promise<void> {
    const existing = this.sessions.get(container);
    if (existing) {
      existing.channel.show(true);
      return;
    }
    const mode = ask ? await this.pickMode() : { tail: 200 };
    if (!mode) return;
    const channel = vscode.window.createOutputChannel(`Helix Logs: ${container}`, 'log');
    const follower = new LogFollower(this.rt.engine, container, mode);
    follower.onLine((l) =>
      channel.appendLine(`${new Date(l.at).toISOString()} ${l.stream === 'stderr' ? '[err] ' : ''}${mask(l.text)}`),
    );
    follower.onDidChangeState(
      (s) => s === 'waiting' && channel.appendLine(`--- ${container} stopped; waiting for it to start again ---`),
    );
    this.sessions.set(container, { channel, follower });
    channel.show(true);
    void follower.start().catch((err) => this.c.log.warn(`logs ${container}: ${messageOf(err)}`));
  }

  has(container: string): boolean {
    return this.sessions.has(container);
  }

  private async pickMode(): Promise<{ tail?: number; since?: number } | undefined> {
    const last = this.c.context.workspaceState.get<string>(LAST, 'tail200');
    const items = [
      { id: 'tail200', label: 'Follow, starting with the last 200 lines', mode: { tail: 200 } },
      { id: 'since15', label: 'Follow, starting 15 minutes ago', mode: { since: Date.now() / 1000 - 900 } },
      { id: 'since60', label: 'Follow, starting 1 hour ago', mode: { since: Date.now() / 1000 - 3600 } },
      { id: 'all', label: 'Follow, from the beginning', mode: { tail: undefined as number | undefined, since: 0 } },
    ].map((i) => ({ ...i, picked: i.id === last, description: i.id === last ? 'last used' : undefined }));
    items.sort((a, b) => Number(b.picked) - Number(a.picked));
    const pick = await vscode.window.showQuickPick(items, { title: 'Helix: Show Logs' });
    if (!pick) return undefined;
    await this.c.context.workspaceState.update(LAST, pick.id);
    return pick.mode;
  }

  dispose(): void {
    for (const s of this.sessions.values()) {
      s.follower.dispose();
      s.channel.dispose();
    }
    this.sessions.clear();
  }
}
