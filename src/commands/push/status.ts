import * as vscode from 'vscode';
import type { Journal } from '../../core/engine/journal';
import { lastPush, type LastPush } from '../../core/push/service';

/**
 * What the trees show for push environments: the last pushed tag and digest, from the run journal.
 * `onDidChange` fires after each push or deploy ends, so a tree can refresh just that node.
 */
export class PushStatus implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<{ project: string; environment: string }>();
  readonly onDidChange = this.changed.event;
  private journal: Journal | undefined;

  attach(journal: Journal): void {
    this.journal = journal;
  }

  lastPush(project: string, environment: string): LastPush | undefined {
    return this.journal ? lastPush(this.journal, project, environment) : undefined;
  }

  /** One line for a tree item's description: `demo-staging-abc1234 @ sha256:0123abcd`. */
  describe(project: string, environment: string): string | undefined {
    const p = this.lastPush(project, environment);
    return p ? `${p.tag} @ ${p.digest.slice(0, 19)}` : undefined;
  }

  fire(project: string, environment: string): void {
    this.changed.fire({ project, environment });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
