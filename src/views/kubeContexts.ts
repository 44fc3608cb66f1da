import * as vscode from 'vscode';
import type { Container } from '../container';
import { settingKubeconfig } from '../services/kubernetes/runtime';

// "Kubernetes contexts" in the Environments view: the kubeconfig's contexts (as kubectl sees them: the
// setting, else KUBECONFIG / ~/.kube/config) and, on expand, each context's namespaces. Read on demand,
// never polled; a missing kubeconfig or an unreachable cluster is a row with its message.

export type ContextNode =
  | { type: 'kube-contexts' }
  | { type: 'kube-context'; name: string; current: boolean; server?: string; namespace?: string }
  | { type: 'kube-namespace'; context: string; name: string }
  | { type: 'kube-message'; id: string; label: string; detail: string; icon: string };

export function contextChildren(c: Container, node: ContextNode): ContextNode[] | Promise<ContextNode[]> {
  const k = c.kubernetes;
  const file = settingKubeconfig();
  if (node.type === 'kube-contexts') {
    const s = k.contexts({ file });
    if (s.state !== 'ok')
      return [
        {
          type: 'kube-message',
          id: 'kubeconfig',
          label: s.state === 'missing' ? 'No kubeconfig' : 'Invalid kubeconfig',
          detail: s.message,
          icon: 'warning',
        },
      ];
    return s.contexts.map((x) => ({
      type: 'kube-context',
      name: x.name,
      current: x.current,
      server: x.server,
      namespace: x.namespace,
    }));
  }
  if (node.type === 'kube-context') {
    // Listing namespaces contacts the cluster (and may run a kubeconfig exec plugin): not in Restricted Mode.
    if (!c.trusted)
      return [
        {
          type: 'kube-message',
          id: `${node.name}:untrusted`,
          label: 'Restricted Mode',
          detail: 'trust this workspace to contact clusters',
          icon: 'shield',
        },
      ];
    return k.namespaces(node.name, { file, timeoutMs: 5000 }).then((r) =>
      r.state === 'ok'
        ? r.namespaces.map((name) => ({ type: 'kube-namespace' as const, context: node.name, name }))
        : [
            {
              type: 'kube-message' as const,
              id: `${node.name}:error`,
              label: 'Unreachable',
              detail: r.message,
              icon: 'debug-disconnect',
            },
          ],
    );
  }
  return [];
}

export function contextItem(node: ContextNode): vscode.TreeItem {
  switch (node.type) {
    case 'kube-contexts': {
      const item = new vscode.TreeItem('Kubernetes contexts', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = 'kube-contexts';
      item.iconPath = new vscode.ThemeIcon('server-environment');
      item.contextValue = 'kube-contexts';
      return item;
    }
    case 'kube-context': {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `kube-context:${node.name}`;
      item.description = [node.current ? 'current' : undefined, node.server].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(node.current ? 'pass-filled' : 'circle-large-outline');
      item.tooltip = `${node.name}${node.server ? `\n${node.server}` : ''}${node.namespace ? `\ndefault namespace: ${node.namespace}` : ''}`;
      item.contextValue = 'kube-context';
      return item;
    }
    case 'kube-namespace': {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
      item.id = `kube-namespace:${node.context}/${node.name}`;
      item.iconPath = new vscode.ThemeIcon('symbol-namespace');
      item.contextValue = 'kube-namespace';
      return item;
    }
    case 'kube-message': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = `kube-message:${node.id}`;
      item.description = node.detail;
      item.tooltip = node.detail;
      item.iconPath = new vscode.ThemeIcon(node.icon, new vscode.ThemeColor('list.warningForeground'));
      return item;
    }
  }
}
