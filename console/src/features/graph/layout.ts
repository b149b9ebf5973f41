import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, type SimulationNodeDatum } from "d3-force";
import type { GraphLink, GraphNode } from "./graphData";

export interface LayoutRequest {
  nodes: Pick<GraphNode, "id" | "kind">[];
  links: GraphLink[];
  ticks?: number;
}

export interface Position {
  id: string;
  x: number;
  y: number;
}

const radius: Record<string, number> = { account: 18, region: 13, type: 9, finding: 5 };

/** runLayout settles a force layout synchronously (in the worker, off the main thread). */
export function runLayout(req: LayoutRequest): Position[] {
  type N = SimulationNodeDatum & { id: string; kind: string };
  const nodes: N[] = req.nodes.map((n) => ({ id: n.id, kind: n.kind }));
  const links = req.links.map((l) => ({ source: l.source, target: l.target }));
  const sim = forceSimulation(nodes)
    .force(
      "link",
      forceLink<N, { source: string | N; target: string | N }>(links)
        .id((d) => d.id)
        .distance((l) => ((l.target as N).kind === "finding" ? 18 : 50))
        .strength(0.9),
    )
    .force(
      "charge",
      forceManyBody<N>().strength((d) => (d.kind === "finding" ? -12 : -120)),
    )
    .force(
      "collide",
      forceCollide<N>().radius((d) => (radius[d.kind] ?? 5) + 2),
    )
    .force("center", forceCenter(0, 0))
    .stop();
  const ticks = req.ticks ?? 300;
  for (let i = 0; i < ticks; i++) sim.tick();
  return nodes.map((n) => ({ id: n.id, x: n.x ?? 0, y: n.y ?? 0 }));
}

export { radius };
