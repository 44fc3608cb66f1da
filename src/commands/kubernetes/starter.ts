import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { starterManifests } from '../../core/kubernetes/starter';
import { pickProject, type EnvArg } from './pick';

/** Writes deploy/k8s/{deployment,service,pvc}.yaml for a project; never overwrites without asking. */
export async function writeStarterManifests(c: Container, arg?: EnvArg): Promise<void> {
  const project = await pickProject(c, arg);
  if (!project)
    return void vscode.window.showInformationMessage('Open a folder with a HelixDB project (helix.toml) first.');
  const dir = path.join(project.dir, 'deploy', 'k8s');
  const files = starterManifests({
    name: `helix-${project.name}`
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 63),
  });
  const existing = files.filter((f) => fs.existsSync(path.join(dir, f.name)));
  if (existing.length) {
    const ok = await vscode.window.showWarningMessage(
      `${existing.map((f) => f.name).join(', ')} already exist in ${path.relative(project.dir, dir)}. Overwrite?`,
      { modal: true },
      'Overwrite',
    );
    if (ok !== 'Overwrite') return;
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.text);
  c.log.info(`kubernetes: wrote starter manifests to ${dir}`);
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(dir, files[0].name)));
  void vscode.window.showInformationMessage(
    `Starter manifests written to deploy/k8s. Add to helix.deploy.toml: [environments.k8s] kubernetes = { context = "<context>", namespace = "helix", manifests = "deploy/k8s" }`,
  );
}
