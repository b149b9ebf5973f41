import { memo, useEffect, useId, useState } from "react";
import { capitalize, type FacetView } from "@/api/model";
import { securityFacetValueName } from "@/api/securityModel";
import { Button } from "@/components/ui/button";
import { FacetGroup } from "@/components/ui/facet-group";
import { Input, Label } from "@/components/ui/input";
import { categoryLabel } from "./badges";
import {
  activeSecurityFilterCount,
  emptySecurityFilters,
  securityCategories,
  securityFacetFields,
  toggleSecurityValue,
  type SecurityFacetField,
  type SecurityFilters,
} from "./filters";

const fieldLabel: Record<SecurityFacetField, string> = {
  severity: "Severity",
  status: "Status",
  framework: "Framework",
  category: "Category",
  check_id: "Check",
  provider: "Provider",
  account: "Account",
  region: "Region",
  type: "Resource type",
};

const enumOrder: Partial<Record<SecurityFacetField, string[]>> = {
  severity: ["critical", "high", "medium", "low", "info"],
  status: ["fail", "muted"],
  category: securityCategories,
};

function valueLabel(field: SecurityFacetField, v: string): string {
  if (v === "") return field === "region" ? "(global)" : "(none)";
  if (field === "category") return categoryLabel[v] ?? v;
  return field === "severity" || field === "status" ? capitalize(v) : v;
}

interface Props {
  filters: SecurityFilters;
  facets: FacetView[];
  onChange: (f: SecurityFilters) => void;
  /** Whether facet counts are still loading. */
  loading?: boolean;
}

/** SecurityFilterSidebar narrows the security findings by facet values (with counts) and text. */
export const SecurityFilterSidebar = memo(function SecurityFilterSidebar({ filters, facets, onChange, loading }: Props) {
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
  const n = activeSecurityFilterCount(filters);
  return (
    <div className="flex flex-col gap-4" aria-busy={loading}>
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold">Filters{n > 0 ? ` (${n})` : ""}</h2>
        {n > 0 && (
          <Button variant="link" size="sm" className="h-auto p-0" onClick={() => onChange({ ...emptySecurityFilters(), sort: filters.sort })}>
            Clear all
          </Button>
        )}
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor={uid + "security-text"} className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">
          Search
        </Label>
        <Input
          id={uid + "security-text"}
          type="search"
          placeholder="Resource, check id or title"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      {securityFacetFields.map((field) => {
        const counts = new Map<string, number>();
        byField.get(field)?.values.forEach((v) => counts.set(securityFacetValueName(field, v.value), v.count));
        return (
          <FacetGroup
            key={field}
            idPrefix={`${uid}security-facet-${field}`}
            legend={fieldLabel[field]}
            counts={counts}
            selected={filters[field]}
            onToggle={(v) => onChange(toggleSecurityValue(filters, field, v))}
            label={(v) => valueLabel(field, v)}
            order={enumOrder[field]}
          />
        );
      })}
    </div>
  );
});
