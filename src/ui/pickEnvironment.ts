import * as vscode from 'vscode';
import type { Container } from '../container';
import type { Environment, Project } from '../core/model/types';

// The one way a palette command asks which environment it is about: the project first (when there are
// several), then the environment, each list with the workspace's last choice on top, so Enter repeats it.
// Every command shares the memory: the environment you worked with last is the one you most likely mean.

export interface EnvChoice {
  project: Project;
  environment: Environment;
}

export interface PickOptions {
  /** Title of the quick picks, e.g. "Helix: Build Image". */
  title: string;
  /** Shown when no environment qualifies; say how to add one. */
  none: string;
  /** An environment's description in the list (default: its kind and target). */
  describe?: (c: EnvChoice) => string;
}

const LAST = 'helixDeploy.lastEnvironment';

interface Last {
  dir: string;
  env: string;
}

/** Asks for one environment among those `accept` takes (waits for the first scan of the workspace). */
export async function pickEnvironment(
  c: Container,
  accept: (e: Environment, p: Project) => unknown,
  o: PickOptions,
): Promise<EnvChoice | undefined> {
  await c.projects.ready();
  const candidates = c.projects.projects.flatMap((project) =>
    project.environments.filter((e) => accept(e, project)).map((environment) => ({ project, environment })),
  );
  if (!candidates.length) {
    void vscode.window.showInformationMessage(o.none);
    return undefined;
  }
  const last = c.context.workspaceState.get<Last>(LAST);
  const projects = [...new Map(candidates.map((x) => [x.project.dir, x.project])).values()];
  let project = projects[0]!;
  if (projects.length > 1) {
    const items = projects.map((p) => {
      const n = candidates.filter((x) => x.project.dir === p.dir).length;
      return {
        label: p.name,
        description: `${vscode.workspace.asRelativePath(p.dir, true)} · ${n} environment${n === 1 ? '' : 's'}`,
        p,
      };
    });
    const picked = await quickPick(
      withRecent(items, (i) => i.p.dir === last?.dir),
      { title: o.title, placeHolder: 'Which project?' },
    );
    if (!picked) return undefined;
    project = picked.p;
  }
  const envs = candidates.filter((x) => x.project.dir === project.dir);
  let choice = envs[0]!;
  if (envs.length > 1) {
    const describe =
      o.describe ?? ((x: EnvChoice) => [x.environment.kind, x.environment.target].filter(Boolean).join(' · '));
    const items = envs.map((x) => ({
      label: x.environment.name,
      description: describe(x) + (x.environment.protected ? ' · protected' : ''),
      x,
    }));
    const picked = await quickPick(
      withRecent(items, (i) => i.x.project.dir === last?.dir && i.x.environment.name === last?.env),
      {
        title: projects.length > 1 ? `${o.title}: ${project.name}` : o.title,
        placeHolder: 'Which environment?',
      },
    );
    if (!picked) return undefined;
    choice = picked.x;
  }
  await c.context.workspaceState.update(LAST, { dir: choice.project.dir, env: choice.environment.name } satisfies Last);
  return choice;
}

type Item = vscode.QuickPickItem;

/** The remembered item first, under a "recently used" separator, as VS Code's own pickers do. */
function withRecent<I extends Item>(items: I[], isLast: (i: I) => boolean): (I | Item)[] {
  const i = items.findIndex(isLast);
  if (i < 0) return items;
  const rest = items.filter((_, k) => k !== i);
  return [
    { label: 'recently used', kind: vscode.QuickPickItemKind.Separator },
    items[i]!,
    ...(rest.length ? [{ label: '', kind: vscode.QuickPickItemKind.Separator }] : []),
    ...rest,
  ];
}

async function quickPick<I extends Item>(items: (I | Item)[], opts: vscode.QuickPickOptions): Promise<I | undefined> {
  return (await vscode.window.showQuickPick(items, { ...opts, matchOnDescription: true })) as I | undefined;
}
