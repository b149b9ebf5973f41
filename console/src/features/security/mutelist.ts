// Reading the controller's answer to a mutelist that does not parse.

/**
 * errorLine finds the 1-based line a mutelist error names: "NAME:LINE: …"
 * (an entry missing a field) or "line N" (the YAML parser), or null.
 */
export function errorLine(message: string): number | null {
  const m = /[\w.-]:(\d+):/.exec(message) ?? /\bline (\d+)\b/i.exec(message);
  if (!m) return null;
  const n = Number(m[1]);
  return n > 0 ? n : null;
}

/** lineRange is where line n (1-based) starts and ends in text, for selecting it. */
export function lineRange(text: string, n: number): [number, number] {
  let start = 0;
  for (let i = 1; i < n; i++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return [text.length, text.length];
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  return [start, end < 0 ? text.length : end];
}
