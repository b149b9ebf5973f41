import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useAppDispatch, useAppSelector } from "@/app/hooks";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Label } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { presetDeleted, presetSaved } from "./presetsSlice";

/** Presets lists the saved views as links, and saves the current one. */
export function Presets({ query }: { query: string }) {
  const presets = useAppSelector((s) => s.presets.items);
  const dispatch = useAppDispatch();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    dispatch(presetSaved({ name, query }));
    toast({ title: "Preset saved", description: name.trim() });
    setName("");
    setOpen(false);
  };
  const copyLink = async () => {
    const url = `${window.location.origin}/inventory${query ? "?" + query : ""}`;
    try {
      await navigator.clipboard.writeText(url);
      toast({ title: "Link copied", description: "Anyone with access sees the same filters." });
    } catch {
      toast({ title: "Copy failed", description: url, variant: "error" });
    }
  };
  return (
    <nav aria-label="Saved filters" className="flex flex-wrap items-center gap-2">
      {presets.length > 0 && (
        <ul className="flex flex-wrap gap-2">
          {presets.map((p) => (
            <li key={p.name} className="inline-flex items-center rounded-full border border-border text-xs">
              <Link to={`/inventory${p.query ? "?" + p.query : ""}`} className="rounded-l-full px-2 py-1 hover:bg-muted">
                {p.name}
              </Link>
              <button
                type="button"
                aria-label={`Delete preset ${p.name}`}
                className="rounded-r-full px-1.5 py-1 text-muted-foreground hover:bg-muted hover:text-foreground"
                onClick={() => dispatch(presetDeleted(p.name))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <Button variant="outline" size="sm" onClick={() => setOpen(true)}>
        Save preset
      </Button>
      <Button variant="ghost" size="sm" onClick={copyLink}>
        Copy link
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Save these filters</DialogTitle>
            <DialogDescription>Presets are kept in this browser and listed above the inventory.</DialogDescription>
          </DialogHeader>
          <form onSubmit={save} className="flex flex-col gap-2">
            <Label htmlFor="preset-name">Name</Label>
            <Input id="preset-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
            <DialogFooter>
              <Button type="submit" disabled={!name.trim()}>
                Save
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </nav>
  );
}
