import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TrendPoint } from "./kpis";

const axis = { fontSize: 11, fill: "var(--muted-foreground)" };
const tooltipStyle = { background: "var(--card)", border: "1px solid var(--border)", color: "var(--foreground)", fontSize: 12 };
// Series colours are too light for small text on the card (axe color-contrast).
const tooltipItemStyle = { color: "var(--foreground)" };

/** TrendChart plots drift per scan over time. */
export function TrendChart({ data }: { data: TrendPoint[] }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <LineChart data={data} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        <XAxis dataKey="label" tick={axis} minTickGap={24} />
        <YAxis tick={axis} allowDecimals={false} width={36} />
        <Tooltip contentStyle={tooltipStyle} itemStyle={tooltipItemStyle} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line type="monotone" dataKey="modified" name="Modified" stroke="#d97706" dot={false} strokeWidth={2} isAnimationActive={false} />
        <Line type="monotone" dataKey="missing" name="Missing" stroke="#dc2626" dot={false} strokeWidth={2} isAnimationActive={false} />
        <Line type="monotone" dataKey="unmanaged" name="Unmanaged" stroke="#6366f1" dot={false} strokeWidth={2} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

export interface BarDatum {
  name: string;
  value: number;
}

/** HBarChart is a horizontal bar chart of counts (top types, by severity). */
export function HBarChart({ data, color = "#6366f1" }: { data: BarDatum[]; color?: string }) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(120, data.length * 28 + 20)}>
      <BarChart data={data} layout="vertical" margin={{ top: 0, right: 16, left: 8, bottom: 0 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tick={axis} allowDecimals={false} />
        <YAxis type="category" dataKey="name" tick={axis} width={170} />
        <Tooltip contentStyle={tooltipStyle} itemStyle={tooltipItemStyle} cursor={{ fill: "var(--muted)" }} />
        <Bar dataKey="value" name="Findings" fill={color} radius={[0, 3, 3, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
