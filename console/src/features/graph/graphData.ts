import { Severity, type FindingView } from "@/api/model";

export type NodeKind = "account" | "region" | "type" | "finding";

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** For findings: the finding id (to link to) and its severity. */
  findingId?: string;
  severity?: Severity;
  /** How many findings are under this group node. */
  weight: number;
}

export interface GraphLink {
  source: string;
  target: string;
}

export interface Graph {
  nodes: GraphNode[];
  links: GraphLink[];
  /** Findings left out to stay under the node cap. */
  omitted: number;
}

export const maxNodes = 500;

/**
 * buildGraph groups findings as account → region → type → finding.
 * Group nodes come first; findings are added while the cap allows, so a
 * large result still shows its whole shape.
 */
export function buildGraph(findings: FindingView[], cap = maxNodes): Graph {
  const nodes = new Map<string, GraphNode>();
  const links: GraphLink[] = [];
  const group = (id: string, kind: NodeKind, label: string, parent?: string) => {
    let n = nodes.get(id);
    if (!n) {
      if (nodes.size >= cap) return null;
      n = { id, kind, label, weight: 0 };
      nodes.set(id, n);
      if (parent) links.push({ source: parent, target: id });
    }
    n.weight++;
    return n;
  };
  const paths = findings.map((f) => {
    const r = f.resource;
    const a = `a:${r.provider}/${r.account}`;
    const g = `r:${r.provider}/${r.account}/${r.region}`;
    const t = `t:${r.provider}/${r.account}/${r.region}/${r.type}`;
    return { f, a, g, t, r };
  });
  for (const p of paths) {
    if (!group(p.a, "account", `${p.r.provider} ${p.r.account}`)) continue;
    if (!group(p.g, "region", p.r.region || "global", p.a)) continue;
    group(p.t, "type", p.r.type, p.g);
  }
  let omitted = 0;
  for (const p of paths) {
    if (nodes.size >= cap || !nodes.has(p.t)) {
      omitted++;
      continue;
    }
    const id = `f:${p.f.id}`;
    nodes.set(id, {
      id,
      kind: "finding",
      label: p.r.address || p.r.id,
      findingId: p.f.id,
      severity: p.f.severity,
      weight: 1,
    });
    links.push({ source: p.t, target: id });
  }
  return { nodes: [...nodes.values()], links, omitted };
}
