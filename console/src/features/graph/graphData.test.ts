import { describe, expect, it } from "vitest";
import { finding } from "@/test/fixtures";
import { buildGraph } from "./graphData";
import { runLayout } from "./layout";

const f = (id: string, account: string, region: string, type: string) =>
  finding({ id, resource: { provider: "aws", type, id: "r" + id, account, region, address: "" } });

describe("buildGraph", () => {
  it("groups findings by account, region and type", () => {
    const g = buildGraph([
      f("1", "A", "us-east-1", "aws_instance"),
      f("2", "A", "us-east-1", "aws_instance"),
      f("3", "A", "eu-west-1", "aws_vpc"),
    ]);
    const kinds = g.nodes.reduce<Record<string, number>>((m, n) => ((m[n.kind] = (m[n.kind] ?? 0) + 1), m), {});
    expect(kinds).toEqual({ account: 1, region: 2, type: 2, finding: 3 });
    expect(g.links).toHaveLength(2 + 2 + 3);
    expect(g.nodes.find((n) => n.kind === "account")!.weight).toBe(3);
    expect(g.omitted).toBe(0);
  });

  it("caps the node count and says how many findings it left out", () => {
    const many = Array.from({ length: 1000 }, (_, i) => f(String(i), "A", "r" + (i % 5), "t" + (i % 20)));
    const g = buildGraph(many, 500);
    expect(g.nodes.length).toBe(500);
    const groups = g.nodes.filter((n) => n.kind !== "finding").length;
    expect(groups).toBe(1 + 5 + 20);
    expect(g.omitted).toBe(1000 - (500 - groups));
  });

  it("lays out every node at a finite position", () => {
    const g = buildGraph([f("1", "A", "x", "t"), f("2", "B", "y", "u")]);
    const pos = runLayout({ nodes: g.nodes, links: g.links, ticks: 50 });
    expect(pos).toHaveLength(g.nodes.length);
    for (const p of pos) {
      expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    }
  });
});
