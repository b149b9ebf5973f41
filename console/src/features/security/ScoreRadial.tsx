import { PolarAngleAxis, RadialBar, RadialBarChart } from "recharts";
import { cn } from "@/lib/utils";
import { formatPercent, scoreTone, type ScoreTone } from "./posture";

const fill: Record<ScoreTone, string> = { good: "#059669", warn: "#d97706", danger: "#dc2626", none: "#94a3b8" };
const text: Record<ScoreTone, string> = {
  good: "text-emerald-700 dark:text-emerald-400",
  warn: "text-amber-700 dark:text-amber-400",
  danger: "text-red-700 dark:text-red-400",
  none: "text-muted-foreground",
};

/**
 * ScoreRadial draws a compliance percentage as a ring (Recharts radial
 * bar) with the figure in the middle; null (no verdicts) draws an empty
 * ring and a dash. The figure is the accessible name.
 */
export function ScoreRadial({ percent, size = 96, label }: { percent: number | null; size?: number; label: string }) {
  const tone = scoreTone(percent);
  const shown = formatPercent(percent);
  return (
    <div className="relative shrink-0" style={{ width: size, height: size }} role="img" aria-label={`${label}: ${shown}`}>
      <RadialBarChart
        width={size}
        height={size}
        data={[{ value: percent ?? 0 }]}
        innerRadius="78%"
        outerRadius="100%"
        startAngle={90}
        endAngle={-270}
        margin={{ top: 0, right: 0, bottom: 0, left: 0 }}
      >
        <PolarAngleAxis type="number" domain={[0, 100]} tick={false} axisLine={false} />
        <RadialBar dataKey="value" background={{ fill: "var(--muted)" }} cornerRadius={size / 2} fill={fill[tone]} isAnimationActive={false} />
      </RadialBarChart>
      <span aria-hidden="true" className={cn("absolute inset-0 flex items-center justify-center text-base font-semibold tabular-nums", text[tone])}>
        {shown}
      </span>
    </div>
  );
}
