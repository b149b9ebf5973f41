import { describe, expect, it } from "vitest";
import { diffLines, pretty, sideBySide } from "./diff";

describe("pretty", () => {
  it("indents JSON and keeps other text", () => {
    expect(pretty('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(pretty('"t3.micro"')).toBe('"t3.micro"');
    expect(pretty("not json")).toBe("not json");
    expect(pretty("")).toBe("");
  });
});

describe("diffLines", () => {
  it("marks only the changed lines", () => {
    const d = diffLines(pretty('["10.0.0.0/8"]'), pretty('["0.0.0.0/0"]'));
    expect(d.map((l) => [l.op, l.text.trim()])).toEqual([
      ["same", "["],
      ["removed", '"10.0.0.0/8"'],
      ["added", '"0.0.0.0/0"'],
      ["same", "]"],
    ]);
    expect(d[1]).toMatchObject({ oldNo: 2 });
    expect(d[2]).toMatchObject({ newNo: 2 });
  });

  it("shows an absent side as all added or all removed", () => {
    expect(diffLines("", "a\nb").map((l) => l.op)).toEqual(["added", "added"]);
    expect(diffLines("a", "").map((l) => l.op)).toEqual(["removed"]);
    expect(diffLines("", "")).toEqual([]);
  });

  it("finds insertions in the middle", () => {
    const d = diffLines("a\nb\nc", "a\nx\nb\nc");
    expect(d.map((l) => l.op)).toEqual(["same", "added", "same", "same"]);
  });
});

describe("sideBySide", () => {
  it("pairs removals with the additions that replace them", () => {
    const rows = sideBySide(diffLines("a\nb\nc", "a\nB\nB2\nc"));
    expect(rows.map((r) => [r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ["a", "a"],
      ["b", "B"],
      [null, "B2"],
      ["c", "c"],
    ]);
  });
});
