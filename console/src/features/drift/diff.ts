// Line diffs of attribute values for the resource detail's diff view.

/** pretty renders a JSON value over several lines; text that is not JSON stays as it is. An absent side is empty. */
export function pretty(json: string): string {
  if (json === "") return "";
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

export type DiffOp = "same" | "removed" | "added";

export interface DiffLine {
  op: DiffOp;
  text: string;
  /** Line number on the state side (removed/same), 1-based. */
  oldNo?: number;
  /** Line number on the live side (added/same), 1-based. */
  newNo?: number;
}

/** Above this many cells the LCS table is skipped and the sides are shown whole. */
const maxCells = 4_000_000;

/** diffLines is a line diff (longest common subsequence) of a and b. */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = a === "" ? [] : a.split("\n");
  const y = b === "" ? [] : b.split("\n");
  const n = x.length;
  const m = y.length;
  const out: DiffLine[] = [];
  if (n * m > maxCells) {
    x.forEach((t, i) => out.push({ op: "removed", text: t, oldNo: i + 1 }));
    y.forEach((t, j) => out.push({ op: "added", text: t, newNo: j + 1 }));
    return out;
  }
  // lcs[i][j] = LCS length of x[i:] and y[j:], in one flat array.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: "same", text: x[i]!, oldNo: i + 1, newNo: j + 1 });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) {
      out.push({ op: "removed", text: x[i]!, oldNo: i + 1 });
      i++;
    } else {
      out.push({ op: "added", text: y[j]!, newNo: j + 1 });
      j++;
    }
  }
  for (; i < n; i++) out.push({ op: "removed", text: x[i]!, oldNo: i + 1 });
  for (; j < m; j++) out.push({ op: "added", text: y[j]!, newNo: j + 1 });
  return out;
}

export interface SideBySideRow {
  left: DiffLine | null;
  right: DiffLine | null;
}

/** sideBySide pairs a diff's lines into rows: removals beside the additions that replace them. */
export function sideBySide(lines: DiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let k = 0;
  while (k < lines.length) {
    const l = lines[k]!;
    if (l.op === "same") {
      rows.push({ left: l, right: l });
      k++;
      continue;
    }
    const removed: DiffLine[] = [];
    const added: DiffLine[] = [];
    while (k < lines.length && lines[k]!.op === "removed") removed.push(lines[k++]!);
    while (k < lines.length && lines[k]!.op === "added") added.push(lines[k++]!);
    for (let r = 0; r < Math.max(removed.length, added.length); r++) {
      rows.push({ left: removed[r] ?? null, right: added[r] ?? null });
    }
  }
  return rows;
}
