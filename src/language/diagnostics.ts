import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../container';
import { validateConfig, type ValidationResult } from '../core/config/validate';
import type { ConfigNode } from '../core/config/tree';
import type { ConfigDiagnostic } from '../core/config/types';
import { diagnosticsDelay } from '../core/config/timing';
import { configKind, displayPath, readSibling, siblingUri } from './documents';
import type { GenerationSource } from './generation';

// Diagnostics as you type: validate shortly after the last change (how long after depends on what the document's
// last validation cost; immediately on open), keep the result per document for quick fixes, and the last tree
// that parsed for completion while the text is broken.

export interface DocState {
  version: number;
  result: ValidationResult;
  /** Last tree that parsed (may be older than `result`). */
  lastGoodTree?: ConfigNode;
  /** What validating this document last cost (ms): it sets the wait after the next change. */
  costMs: number;
}

export class ConfigDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('helix');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly states = new Map<string, DocState>();
  private readonly emitter = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires after a document was validated (status item, tests). */
  readonly onDidValidate = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.collection, this.emitter];

  constructor(
    private readonly c: Container,
    private readonly gens: GenerationSource,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => void this.validate(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      gens.onDidChange(() => this.validateAll()),
    );
    this.validateAll();
  }

  state(doc: vscode.TextDocument): DocState | undefined {
    return this.states.get(doc.uri.toString());
  }

  /** Current result for the document's current version (validated now if the stored one is stale). */
  async current(doc: vscode.TextDocument): Promise<DocState | undefined> {
    const s = this.states.get(doc.uri.toString());
    if (s && s.version === doc.version) return s;
    await this.validate(doc);
    return this.states.get(doc.uri.toString());
  }

  validateAll(): void {
    for (const d of vscode.workspace.textDocuments) void this.validate(d);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!configKind(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(
        () => {
          this.timers.delete(key);
          void this.validate(doc);
        },
        diagnosticsDelay(this.states.get(key)?.costMs),
      ),
    );
    // A helix.toml edit can change which instances its helix.deploy.toml may reference.
    if (configKind(doc) === 'helix') {
      const dep = vscode.workspace.textDocuments.find(
        (d) => d.uri.toString() === siblingUri(doc.uri, 'helix.deploy.toml').toString(),
      );
      if (dep) this.schedule(dep);
    }
  }

  async validate(doc: vscode.TextDocument): Promise<void> {
    const kind = configKind(doc);
    if (!kind || doc.isClosed) return;
    if (!this.gens.enabled(doc.uri)) {
      this.forget(doc.uri);
      return;
    }
    const version = doc.version;
    const text = doc.getText();
    const helixUri = kind === 'deploy' ? siblingUri(doc.uri, 'helix.toml') : doc.uri;
    const helixText = kind === 'deploy' ? await readSibling(helixUri) : undefined;
    if (doc.version !== version || doc.isClosed) return; // a newer validation is scheduled
    const started = performance.now();
    let result: ValidationResult;
    try {
      // The deploy file's generation follows its helix.toml (for the status item).
      result = validateConfig(text, {
        kind,
        file: displayPath(doc.uri),
        generation: this.gens.setting(helixUri),
        cliVersion: this.gens.cliVersion,
        helixText,
        folderName: path.basename(path.dirname(doc.uri.fsPath)),
        dir: doc.uri.scheme === 'file' ? path.dirname(doc.uri.fsPath) : undefined,
      });
      if (kind === 'deploy' && helixText !== undefined) {
        result.generation = validateConfig(helixText, {
          kind: 'helix',
          generation: this.gens.setting(helixUri),
          cliVersion: this.gens.cliVersion,
        }).generation;
      }
    } catch (err) {
      // The validator is fuzzed not to throw; if it ever does, say so instead of leaving stale squiggles.
      this.c.log.error(`Validation of ${doc.uri.fsPath} failed`, err);
      return;
    }
    const costMs = performance.now() - started;
    const prev = this.states.get(doc.uri.toString());
    this.states.set(doc.uri.toString(), {
      version,
      result,
      lastGoodTree: result.tree ?? prev?.lastGoodTree,
      costMs,
    });
    this.collection.set(
      doc.uri,
      result.diagnostics.map((d) => toVscode(doc, d)),
    );
    this.c.log.trace(
      `Validated ${displayPath(doc.uri)} in ${costMs.toFixed(1)} ms: ${result.diagnostics.length} diagnostic(s)`,
    );
    this.emitter.fire(doc);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.states.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toVscode(doc: vscode.TextDocument, d: ConfigDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(doc.positionAt(d.start), doc.positionAt(d.end));
  const out = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
  out.source = 'helix';
  out.code = d.code;
  // Keys the CLI ignores are dead text: fade them like unused code.
  if (d.code === 'unknown-key' && d.severity === 'warning') out.tags = [vscode.DiagnosticTag.Unnecessary];
  return out;
}

/** The core diagnostic behind a VS Code diagnostic (same range and code). */
export function findCore(
  doc: vscode.TextDocument,
  state: DocState,
  d: vscode.Diagnostic,
): ConfigDiagnostic | undefined {
  const start = doc.offsetAt(d.range.start);
  const end = doc.offsetAt(d.range.end);
  return state.result.diagnostics.find((x) => x.code === d.code && x.start === start && x.end === end);
}
