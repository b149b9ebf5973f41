// .driftignore lines for a finding, written as `driftmgr gen-driftignore`
// writes them (internal/ignore/generate.go): `<type>.<id>` for the whole
// resource, `<type>.<id>.<path>` for one attribute of a MODIFIED finding.
import { DriftKind, type FindingView } from "@/api/model";

/** escapeSegment backslash-escapes the characters the rule syntax reads as separators or globs. */
export function escapeSegment(s: string): string {
  return s.replace(/[\\.*]/g, (c) => "\\" + c);
}

function escapeTrailingBlanks(s: string): string {
  const m = /[ \t]+$/.exec(s);
  if (!m) return s;
  return s.slice(0, m.index) + m[0].replace(/[ \t]/g, (c) => "\\" + c);
}

/** resourceRule is the line that ignores the whole resource. */
export function resourceRule(type: string, id: string): string {
  let t = escapeSegment(type);
  if (/^[!# \t]/.test(t)) t = "\\" + t;
  return t + "." + escapeTrailingBlanks(escapeSegment(id));
}

/** attributeRule ignores one attribute; paths are already in the rule's syntax (a.b[0]["k"]). */
export function attributeRule(type: string, id: string, path: string): string {
  return path ? resourceRule(type, id) + "." + path : resourceRule(type, id);
}

/** driftignoreLines are the rules that silence this finding, as gen-driftignore would write them. */
export function driftignoreLines(f: FindingView): string[] {
  const base = resourceRule(f.resource.type, f.resource.id);
  if (f.kind !== DriftKind.MODIFIED || f.changes.length === 0) return [base];
  const lines = new Set(f.changes.map((c) => attributeRule(f.resource.type, f.resource.id, c.path)));
  return [...lines].sort();
}
