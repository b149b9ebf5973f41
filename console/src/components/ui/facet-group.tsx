import { count } from "@/lib/format";
import { Combobox } from "./select";

interface FacetGroupProps {
  /** Unique on the page: the sidebar can be there twice (desktop column and phone sheet). */
  idPrefix: string;
  legend: string;
  /** Count per value over the filtered result. */
  counts: Map<string, number>;
  selected: string[];
  onToggle: (value: string) => void;
  label: (value: string) => string;
  /** A fixed order (enums); without it values go by count, then name. */
  order?: string[];
  /** How many values are listed before the rest are reached through a search box. */
  shown?: number;
  /** What the counts count, for screen readers ("12 findings"). */
  noun?: string;
}

/**
 * FacetGroup is one facet of a filter sidebar: a checkbox per value with
 * its count, selected values kept even at zero, and a combobox for the
 * values past the first few.
 */
export function FacetGroup({ idPrefix, legend, counts, selected, onToggle, label, order, shown = 8, noun = "findings" }: FacetGroupProps) {
  const all = new Map(counts);
  // Selected values stay listed even when the filtered result has none.
  selected.forEach((v) => all.has(v) || all.set(v, 0));
  let values = [...all.keys()];
  if (order) values.sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  else values.sort((a, b) => all.get(b)! - all.get(a)! || a.localeCompare(b));
  const many = values.length > shown;
  const rest = many ? values.filter((v, i) => i >= shown && !selected.includes(v)) : [];
  if (many) values = values.filter((v, i) => i < shown || selected.includes(v));
  return (
    <fieldset className="flex min-w-0 flex-col gap-1">
      <legend id={idPrefix} className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">
        {legend}
      </legend>
      {values.length === 0 && <p className="text-xs text-muted-foreground">No values</p>}
      {values.map((v) => {
        const id = `${idPrefix}-${v || "none"}`;
        return (
          <div key={v} className="flex items-center gap-2 text-sm">
            <input
              id={id}
              type="checkbox"
              className="h-4 w-4 accent-[var(--primary)]"
              checked={selected.includes(v)}
              onChange={() => onToggle(v)}
            />
            <label htmlFor={id} className="min-w-0 flex-1 truncate" title={v}>
              {label(v)}
            </label>
            <span className="text-xs tabular-nums text-muted-foreground" aria-label={`${all.get(v)} ${noun}`}>
              {count(all.get(v) ?? 0)}
            </span>
          </div>
        );
      })}
      {rest.length > 0 && (
        <Combobox
          label={`Add a ${legend.toLowerCase()} filter`}
          placeholder={`${rest.length} more…`}
          options={rest.map((v) => ({ value: v, label: `${label(v)} (${count(all.get(v) ?? 0)})` }))}
          onSelect={onToggle}
        />
      )}
    </fieldset>
  );
}

/** rank puts values missing from a fixed order after it. */
function rank(order: string[], v: string): number {
  const i = order.indexOf(v);
  return i < 0 ? order.length : i;
}
