import { Link } from "react-router";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { cn } from "@/lib/utils";

interface Props {
  label: string;
  value: string | null;
  hint?: string;
  /** Where clicking the card goes (the inventory filtered to what it counts). */
  to?: string;
  tone?: "default" | "danger" | "warn" | "good";
}

/** KpiCard is one headline number; null shows a skeleton while it loads. */
export function KpiCard({ label, value, hint, to, tone = "default" }: Props) {
  const body = (
    <>
      <p className="text-xs font-medium text-muted-foreground">{label}</p>
      {value === null ? (
        <Skeleton className="mt-1 h-8 w-20" />
      ) : (
        <p
          className={cn(
            "mt-1 text-2xl font-semibold tabular-nums",
            tone === "danger" && "text-red-700 dark:text-red-400",
            tone === "warn" && "text-amber-700 dark:text-amber-400",
            tone === "good" && "text-emerald-700 dark:text-emerald-400",
          )}
        >
          {value}
        </p>
      )}
      {hint && <p className="mt-1 text-xs text-muted-foreground">{hint}</p>}
    </>
  );
  return (
    <Card className="p-4" role="group" aria-label={label}>
      {to ? (
        <Link to={to} className="block rounded focus-visible:outline-2 focus-visible:outline-ring">
          {body}
        </Link>
      ) : (
        body
      )}
    </Card>
  );
}
