import { Badge } from "@/components/ui/badge";
import { capitalize } from "@/api/model";
import { SecurityStatus, securityStatusName } from "@/api/securityModel";

export { SeverityBadge } from "@/features/drift/badges";

/** SecurityStatusBadge is a verdict: Fail stands out, Muted is quiet, Pass is green. */
export function SecurityStatusBadge({ status }: { status: SecurityStatus }) {
  // Outlined, so a Fail beside a Critical severity does not read as a second severity.
  if (status === SecurityStatus.FAIL) {
    return (
      <Badge variant="outline" className={failClass}>
        Fail
      </Badge>
    );
  }
  return <Badge variant={status === SecurityStatus.PASS ? "success" : "muted"}>{capitalize(securityStatusName(status))}</Badge>;
}

const failClass = "border-red-700 text-red-700 dark:border-red-400 dark:text-red-400";

/** SideStatusBadge is one side's verdict of a drift x security finding: PASS, FAIL or ABSENT. */
export function SideStatusBadge({ status }: { status: string }) {
  const s = status.toUpperCase();
  if (s === "FAIL") {
    return (
      <Badge variant="outline" className={failClass}>
        Fail
      </Badge>
    );
  }
  return <Badge variant={s === "PASS" ? "success" : "muted"}>{s ? capitalize(s.toLowerCase()) : "Unknown"}</Badge>;
}

export const categoryLabel: Record<string, string> = {
  check: "Check",
  secret: "Secret",
  drift: "Drift",
  policy: "Policy",
};

export function CategoryBadge({ category }: { category: string }) {
  return <Badge variant="outline">{categoryLabel[category] ?? (capitalize(category) || "Check")}</Badge>;
}
