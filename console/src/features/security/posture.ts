// Pure helpers for showing the posture: percentages, the risk score, and
// which frameworks a finding counts against.
import type { ControlRefView, FrameworkPostureView, SecurityFindingView } from "@/api/securityModel";

/**
 * scorePercent is a framework's score as a percentage, or null when it has
 * no verdicts (passed + failed = 0: nothing to score). The API documents
 * the score as passed / (passed + failed); it is read as a fraction when it
 * agrees with the counts as one and as a percentage otherwise, so either
 * scale the controller sends shows right.
 */
export function scorePercent(f: Pick<FrameworkPostureView, "score" | "passed" | "failed">): number | null {
  const n = f.passed + f.failed;
  if (n <= 0) return null;
  const frac = f.passed / n;
  if (f.score >= 0 && f.score <= 1 && Math.abs(f.score - frac) < 0.005) return f.score * 100;
  if (f.score > 1 || Math.abs(f.score - frac * 100) < 0.5) return Math.min(100, f.score);
  return f.score * 100;
}

/** formatPercent shows a percentage with one decimal, without rounding a near miss up to 100. */
export function formatPercent(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "—";
  if (p >= 100) return "100%";
  // The epsilon keeps 0.29 * 100 = 28.999… at 29.0.
  const floor = Math.floor(p * 10 + 1e-6) / 10;
  return `${floor.toFixed(1)}%`;
}

const riskFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** formatRisk is the risk score as a number (a severity-weighted sum of failures). */
export function formatRisk(r: number): string {
  return Number.isFinite(r) ? riskFormat.format(r) : "—";
}

export type ScoreTone = "good" | "warn" | "danger" | "none";

/** scoreTone grades a percentage: 90 and up good, 70 and up a warning, below that danger. */
export function scoreTone(p: number | null): ScoreTone {
  if (p === null) return "none";
  if (p >= 90) return "good";
  if (p >= 70) return "warn";
  return "danger";
}

/** frameworksOf lists the frameworks a finding's controls belong to, each once, in first-seen order. */
export function frameworksOf(f: Pick<SecurityFindingView, "controls">): string[] {
  return [...new Set(f.controls.map((c) => c.framework))];
}

/** controlsByFramework groups a finding's controls per framework, keeping their order. */
export function controlsByFramework(controls: ControlRefView[]): [string, string[]][] {
  const m = new Map<string, string[]>();
  for (const c of controls) {
    const l = m.get(c.framework) ?? [];
    if (!l.includes(c.control)) l.push(c.control);
    m.set(c.framework, l);
  }
  return [...m.entries()];
}

/** prettyJson indents a JSON value for reading; text that is not JSON comes back as it is. */
export function prettyJson(s: string): string {
  if (!s) return "";
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}

/**
 * driftCheckId is the check id a security-weakening drift is reported
 * under (scan.DriftCheckID: DM-AWS-EC2-001 -> DM-DRIFT-AWS-EC2-001). Its
 * failures count against the base check's controls, so a control's
 * findings are listed under both ids.
 */
export function driftCheckId(id: string): string {
  return "DM-DRIFT-" + id.replace(/^DM-/, "");
}

/** withDriftChecks is the check ids with their drift ids, each once. */
export function withDriftChecks(ids: string[]): string[] {
  return [...new Set(ids.flatMap((id) => [id, driftCheckId(id)]))];
}
