import * as vscode from 'vscode';

// Every notification the push layer shows goes through here. Besides showing it, it is fired as an
// event, because the extension API cannot read the workbench's notifications back: the extension-host
// tests (test/e2e/exthost/push.test.ts) check what the user was told and which buttons were offered.

export interface Notice {
  severity: 'info' | 'warning' | 'error';
  message: string;
  actions: string[];
}

export class Notices implements vscode.Disposable {
  private readonly shown = new vscode.EventEmitter<Notice>();
  readonly onDidShow = this.shown.event;

  info(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show({ severity: 'info', message, actions });
  }

  warn(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show({ severity: 'warning', message, actions });
  }

  error(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show({ severity: 'error', message, actions });
  }

  private show(n: Notice): Thenable<string | undefined> {
    this.shown.fire(n);
    const fn =
      n.severity === 'error'
        ? vscode.window.showErrorMessage
        : n.severity === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    return fn(n.message, ...n.actions);
  }

  dispose(): void {
    this.shown.dispose();
  }
}
