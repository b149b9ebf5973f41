import { memo, useEffect, useId, useState } from "react";
import type { FacetView } from "@/api/model";
import { capitalize, facetValueName } from "@/api/model";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/input";
import { FacetGroup } from "@/components/ui/facet-group";
import { Select } from "@/components/ui/select";
import {
  activeFilterCount,
  emptyFilters,
  facetFields,
  toggleValue,
  type FacetField,
  type InventoryFilters,
  type TimeRange,
} from "./filters";

const fieldLabel: Record<FacetField, string> = {
  provider: "Provider",
  account: "Account",
  region: "Region",
  type: "Resource type",
  kind: "Drift kind",
  severity: "Severity",
  status: "Status",
};

const enumOrder: Partial<Record<FacetField, string[]>> = {
  kind: ["modified", "missing", "unmanaged"],
  severity: ["critical", "high", "medium", "low", "info"],
  status: ["open", "acknowledged", "resolved"],
};

const rangeOptions = [
  { value: "any", label: "Any time" },
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "custom", label: "Custom range" },
];

function valueLabel(field: FacetField, v: string): string {
  if (v === "") return field === "region" ? "(global)" : "(none)";
  return enumOrder[field] ? capitalize(v) : v;
}

interface Props {
  filters: InventoryFilters;
  facets: FacetView[];
  onChange: (f: InventoryFilters) => void;
  /** Whether facet counts are still loading. */
  loading?: boolean;
}

function DriftFacet({
  field,
  filters,
  facet,
  onChange,
  uid,
}: {
  field: FacetField;
  filters: InventoryFilters;
  facet: FacetView | undefined;
  onChange: (f: InventoryFilters) => void;
  uid: string;
}) {
  const counts = new Map<string, number>();
  facet?.values.forEach((v) => counts.set(facetValueName(field, v.value), v.count));
  return (
    <FacetGroup
      idPrefix={`${uid}facet-${field}`}
      legend={fieldLabel[field]}
      counts={counts}
      selected={filters[field]}
      onToggle={(v) => onChange(toggleValue(filters, field, v))}
      label={(v) => valueLabel(field, v)}
      order={enumOrder[field]}
    />
  );
}

/** FilterSidebar filters the inventory by facet values (with counts), text and time. */
export const FilterSidebar = memo(function FilterSidebar({ filters, facets, onChange, loading }: Props) {
  const uid = useId();
  const [text, setText] = useState(filters.text);
  useEffect(() => setText(filters.text), [filters.text]);
  // Typing waits for a pause before it asks the server.
  useEffect(() => {
    if (text === filters.text) return;
    const t = setTimeout(() => onChange({ ...filters, text }), 300);
    return () => clearTimeout(t);
  }, [text, filters, onChange]);
  const byField = new Map(facets.map((f) => [f.field, f]));
  const n = activeFilterCount(filters);
  return (
    <div className="flex flex-col gap-4" aria-busy={loading}>
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold">Filters{n > 0 ? ` (${n})` : ""}</h2>
        {n > 0 && (
          <Button variant="link" size="sm" className="h-auto p-0" onClick={() => onChange({ ...emptyFilters(), sort: filters.sort })}>
            Clear all
          </Button>
        )}
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor={uid + "filter-text"} className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">
          Search
        </Label>
        <Input
          id={uid + "filter-text"}
          type="search"
          placeholder="Id, address or type"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor={uid + "filter-range"} className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">
          Last seen
        </Label>
        <Select
          id={uid + "filter-range"}
          label="Last seen"
          value={filters.range || "any"}
          options={rangeOptions}
          onValueChange={(v) => onChange({ ...filters, range: (v === "any" ? "" : v) as TimeRange })}
        />
        {filters.range === "custom" && (
          <div className="mt-1 grid grid-cols-1 gap-1">
            <Label htmlFor={uid + "filter-since"} className="text-xs">
              From
            </Label>
            <Input
              id={uid + "filter-since"}
              type="datetime-local"
              value={filters.since.slice(0, 16)}
              onChange={(e) => onChange({ ...filters, since: e.target.value })}
            />
            <Label htmlFor={uid + "filter-until"} className="text-xs">
              To
            </Label>
            <Input
              id={uid + "filter-until"}
              type="datetime-local"
              value={filters.until.slice(0, 16)}
              onChange={(e) => onChange({ ...filters, until: e.target.value })}
            />
          </div>
        )}
      </div>
      {facetFields.map((field) => (
        <DriftFacet key={field} uid={uid} field={field} filters={filters} facet={byField.get(field)} onChange={onChange} />
      ))}
    </div>
  );
});
