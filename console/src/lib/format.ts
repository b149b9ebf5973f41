const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** ago says how long before now an ISO time was ("3 minutes ago"). */
export function ago(isoTime: string | null, now: number = Date.now()): string {
  if (!isoTime) return "—";
  const s = Math.round((Date.parse(isoTime) - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, "second");
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(s / 3600), "hour");
  return rtf.format(Math.round(s / 86400), "day");
}

/** dateTime is an ISO time in the user's locale, or a dash. */
export function dateTime(isoTime: string | null): string {
  return isoTime ? new Date(isoTime).toLocaleString() : "—";
}

// One formatter for all counts: Number.toLocaleString builds a new one per
// call, which is slow enough to show in a long list.
const nf = new Intl.NumberFormat("en-US");

export function count(n: number): string {
  return nf.format(n);
}
