import { useMemo, useState } from "react";
import type { ChangeView } from "@/api/model";
import { Button } from "@/components/ui/button";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { cn } from "@/lib/utils";
import { diffLines, pretty, sideBySide, type DiffLine } from "./diff";

type Mode = "split" | "inline";

interface Prepared {
  change: ChangeView;
  lines: DiffLine[];
  added: number;
  removed: number;
}

function prepare(c: ChangeView): Prepared {
  const lines = diffLines(pretty(c.stateJson), pretty(c.liveJson));
  return {
    change: c,
    lines,
    added: lines.filter((l) => l.op === "added").length,
    removed: lines.filter((l) => l.op === "removed").length,
  };
}

const marker = { same: " ", removed: "−", added: "+" } as const;
const lineClass = { same: "", removed: "bg-removed", added: "bg-added" } as const;
const srLabel = { same: "", removed: "removed: ", added: "added: " } as const;

function Line({ l, no }: { l: DiffLine | null; no?: number }) {
  if (!l) return <div className="min-h-5 bg-muted/40" aria-hidden="true" />;
  return (
    <div className={cn("flex min-h-5 whitespace-pre", lineClass[l.op])} data-op={l.op}>
      <span aria-hidden="true" className="w-9 shrink-0 select-none pr-2 text-right text-muted-foreground">
        {no ?? ""}
      </span>
      <span aria-hidden="true" className="w-4 shrink-0 select-none">
        {marker[l.op]}
      </span>
      <span>
        <span className="sr-only">{srLabel[l.op]}</span>
        {l.text}
      </span>
    </div>
  );
}

function Split({ p }: { p: Prepared }) {
  const rows = useMemo(() => sideBySide(p.lines), [p.lines]);
  return (
    <div className="grid grid-cols-2 gap-px overflow-x-auto bg-border font-mono text-xs">
      <div className="bg-card px-2 py-1 font-sans text-xs font-semibold">Terraform state</div>
      <div className="bg-card px-2 py-1 font-sans text-xs font-semibold">Live cloud</div>
      {rows.map((r, i) => (
        <div key={i} className="contents">
          <div className="min-w-0 overflow-x-auto bg-card">
            <Line l={r.left} no={r.left?.oldNo} />
          </div>
          <div className="min-w-0 overflow-x-auto bg-card">
            <Line l={r.right} no={r.right?.newNo} />
          </div>
        </div>
      ))}
      {p.lines.length === 0 && <div className="col-span-2 bg-card p-2 font-sans">Both sides are empty.</div>}
    </div>
  );
}

function Inline({ p }: { p: Prepared }) {
  return (
    <div className="overflow-x-auto bg-card font-mono text-xs">
      {p.lines.map((l, i) => (
        <Line key={i} l={l} no={l.op === "added" ? l.newNo : l.oldNo} />
      ))}
    </div>
  );
}

/**
 * DiffView shows each differing attribute as a diff of its pretty-printed
 * JSON: Terraform state against the live cloud, side by side or inline,
 * each attribute collapsible.
 */
export function DiffView({ changes }: { changes: ChangeView[] }) {
  const prepared = useMemo(() => changes.map(prepare), [changes]);
  const [mode, setMode] = useState<Mode>("split");
  const [open, setOpen] = useState<Set<number>>(() => new Set(prepared.map((_, i) => i).filter((i) => prepared.length <= 20 || i < 5)));
  if (changes.length === 0) {
    return <p className="text-sm text-muted-foreground">No attribute differences are recorded for this finding.</p>;
  }
  const toggle = (i: number) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(i)) n.delete(i);
      else n.add(i);
      return n;
    });
  const body = (p: Prepared) => (mode === "split" ? <Split p={p} /> : <Inline p={p} />);
  const list = (
    <ul className="flex flex-col gap-3">
      {prepared.map((p, i) => {
        const id = `diff-${i}`;
        const isOpen = open.has(i);
        return (
          <li key={p.change.path + i} className="overflow-hidden rounded-md border border-border">
            <h3>
              <button
                type="button"
                aria-expanded={isOpen}
                aria-controls={id}
                onClick={() => toggle(i)}
                className="flex w-full items-center gap-2 bg-muted/60 px-3 py-2 text-left text-sm hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring"
              >
                <span aria-hidden="true" className={cn("transition-transform", isOpen && "rotate-90")}>
                  ▸
                </span>
                <code className="font-mono font-semibold">{p.change.path || "(whole resource)"}</code>
                <span className="ml-auto text-xs text-muted-foreground">
                  <span className="text-emerald-700 dark:text-emerald-400">+{p.added}</span>{" "}
                  <span className="text-red-700 dark:text-red-400">−{p.removed}</span>
                </span>
              </button>
            </h3>
            <div id={id} hidden={!isOpen} role="region" aria-label={`Diff of ${p.change.path || "the resource"}`}>
              {isOpen && body(p)}
            </div>
          </li>
        );
      })}
    </ul>
  );
  return (
    <Tabs value={mode} onValueChange={(v) => setMode(v as Mode)}>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <TabsList aria-label="Diff layout">
          <TabsTrigger value="split">Side by side</TabsTrigger>
          <TabsTrigger value="inline">Inline</TabsTrigger>
        </TabsList>
        <div className="ml-auto flex gap-2">
          <Button variant="outline" size="sm" onClick={() => setOpen(new Set(prepared.map((_, i) => i)))}>
            Expand all
          </Button>
          <Button variant="outline" size="sm" onClick={() => setOpen(new Set())}>
            Collapse all
          </Button>
        </div>
      </div>
      <TabsContent value="split">{mode === "split" && list}</TabsContent>
      <TabsContent value="inline">{mode === "inline" && list}</TabsContent>
    </Tabs>
  );
}
