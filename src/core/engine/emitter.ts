// A tiny event emitter (core must not import vscode). Returns a disposable like vscode.Event does,
// so the VS Code layer can hand it straight to Container.own().

export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (e: T) => void;
export type Event<T> = (listener: Listener<T>) => Disposable;

export class Emitter<T> {
  private listeners = new Set<Listener<T>>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A faulty listener must not break the run that fired the event.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
