import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The same scopes as Core §4.3, as one Cerbos resource policy for `invoice`: one rule per action,
 * allowing when any of the principal's grants for that action covers the resource —
 *   self: the resource's owner is the actor's member; group: the resource's group path is the
 *   anchor's; group_tree: the anchor's path or a descendant (path + "."), so `g1` never covers
 *   `g10`; space: the resource is in the actor's space.
 * Grants arrive as principal attributes (the caller precomputes them), resource owner/group path
 * as resource attributes. Nothing matches → Cerbos's default deny.
 */
export function cerbosPolicy(actions: readonly string[]): string {
  const rule = (action: string) => `    - actions: ["${action}"]
      effect: EFFECT_ALLOW
      roles: ["member"]
      condition:
        match:
          expr: >-
            P.attr.grants.exists(g, g.action == "${action}" && (
              (g.scope == "space" && R.attr.space == P.attr.space) ||
              (g.scope == "self" && R.attr.owner != "" && R.attr.owner == P.attr.member) ||
              (g.scope == "group" && g.anchor != "" && R.attr.group != "" && R.attr.group == g.anchor) ||
              (g.scope == "group_tree" && g.anchor != "" && R.attr.group != "" &&
                (R.attr.group == g.anchor || R.attr.group.startsWith(g.anchor + ".")))))
`;
  return `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  version: default
  resource: invoice
  rules:
${actions.map(rule).join('')}`;
}

/** Writes the policy folder and a config: loopback only, disk storage, audit off, no telemetry. */
export function writeCerbosSetup(dir: string, actions: readonly string[], httpPort: number, grpcPort: number): string {
  const policies = join(dir, 'policies');
  mkdirSync(policies, { recursive: true });
  writeFileSync(join(policies, 'invoice.yaml'), cerbosPolicy(actions));
  const config = join(dir, 'cerbos.yaml');
  writeFileSync(
    config,
    `server:
  httpListenAddr: "127.0.0.1:${httpPort}"
  grpcListenAddr: "127.0.0.1:${grpcPort}"
storage:
  driver: "disk"
  disk:
    directory: "${policies}"
    watchForChanges: false
audit:
  enabled: false
telemetry:
  disabled: true
`,
  );
  return config;
}
