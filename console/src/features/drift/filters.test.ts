import { describe, expect, it } from "vitest";
import { DriftKind, FindingStatus, Severity } from "@/api/model";
import { activeFilterCount, emptyFilters, nextSort, orderBy, parseFilters, serializeFilters, toFilterArgs, toggleValue } from "./filters";

const q = (s: string) => parseFilters(new URLSearchParams(s));

describe("filters <-> URL", () => {
  it("round-trips every field", () => {
    const f = {
      ...emptyFilters(),
      provider: ["aws", "google"],
      account: ["123456789012"],
      region: ["us-east-1", ""],
      type: ["aws_instance"],
      kind: ["modified"],
      severity: ["critical", "high"],
      status: ["open"],
      text: "web",
      range: "custom" as const,
      since: "2026-11-01T00:00",
      until: "2026-11-02T00:00",
      sort: { field: "last_seen" as const, desc: false },
    };
    const back = parseFilters(serializeFilters(f));
    expect(back).toEqual({ ...f, region: ["", "us-east-1"], provider: ["aws", "google"], severity: ["critical", "high"] });
  });

  it("leaves defaults out of the URL", () => {
    expect(serializeFilters(emptyFilters()).toString()).toBe("");
    expect(serializeFilters({ ...emptyFilters(), sort: { field: "severity", desc: true } }).toString()).toBe("");
  });

  it("writes values in a stable order so equal views share a link", () => {
    const a = serializeFilters({ ...emptyFilters(), provider: ["google", "aws"], severity: ["low", "critical"] }).toString();
    const b = serializeFilters({ ...emptyFilters(), provider: ["aws", "google"], severity: ["critical", "low"] }).toString();
    expect(a).toBe(b);
    expect(a).toBe("provider=aws&provider=google&severity=critical&severity=low");
  });

  it("encodes descending sort with a minus", () => {
    const s = serializeFilters({ ...emptyFilters(), sort: { field: "last_seen", desc: true } });
    expect(s.get("sort")).toBe("-last_seen");
    expect(q("sort=-last_seen").sort).toEqual({ field: "last_seen", desc: true });
    expect(q("sort=type").sort).toEqual({ field: "type", desc: false });
  });

  it("drops what it does not know", () => {
    const f = q("severity=critical&severity=bogus&kind=nope&status=open&status=open&sort=-password&range=1y&since=x");
    expect(f.severity).toEqual(["critical"]);
    expect(f.kind).toEqual([]);
    expect(f.status).toEqual(["open"]);
    expect(f.sort).toEqual({ field: "severity", desc: true });
    expect(f.range).toBe("");
    expect(f.since).toBe("");
  });

  it("keeps custom dates only with the custom range", () => {
    expect(q("range=7d&since=2026-11-01T00:00").since).toBe("");
    expect(q("range=custom&since=2026-11-01T00:00").since).toBe("2026-11-01T00:00");
  });
});

describe("toFilterArgs", () => {
  const now = Date.parse("2026-11-26T12:34:56Z");

  it("maps URL names to the API's enums", () => {
    const a = toFilterArgs(q("kind=missing&severity=critical&severity=low&status=acknowledged&provider=aws&q=%20web%20"), now);
    expect(a).toEqual({
      provider: ["aws"],
      kind: [DriftKind.MISSING],
      severity: [Severity.CRITICAL, Severity.LOW],
      status: [FindingStatus.ACKNOWLEDGED],
      text: "web",
    });
  });

  it("turns a relative range into since, rounded to the minute", () => {
    expect(toFilterArgs(q("range=24h"), now).since).toBe("2026-11-25T12:34:00.000Z");
    expect(toFilterArgs(q("range=1h"), now + 20_000).since).toBe("2026-11-26T11:35:00.000Z");
  });

  it("passes a custom range through", () => {
    const a = toFilterArgs(q("range=custom&since=2026-11-01T00:00:00Z&until=2026-11-02T00:00:00Z"), now);
    expect(a.since).toBe("2026-11-01T00:00:00.000Z");
    expect(a.until).toBe("2026-11-02T00:00:00.000Z");
  });

  it("is empty for no filters", () => {
    expect(toFilterArgs(emptyFilters(), now)).toEqual({});
  });
});

describe("sorting and toggling", () => {
  it("flips the sorted column and starts a new one at its natural order", () => {
    expect(nextSort({ field: "severity", desc: true }, "severity")).toEqual({ field: "severity", desc: false });
    expect(nextSort({ field: "severity", desc: true }, "type")).toEqual({ field: "type", desc: false });
    expect(nextSort({ field: "type", desc: false }, "last_seen")).toEqual({ field: "last_seen", desc: true });
    expect(orderBy({ field: "last_seen", desc: true })).toBe("last_seen desc");
    expect(orderBy({ field: "type", desc: false })).toBe("type");
  });

  it("toggles facet values and counts active filters", () => {
    let f = toggleValue(emptyFilters(), "provider", "aws");
    f = toggleValue(f, "severity", "high");
    expect(f.provider).toEqual(["aws"]);
    expect(activeFilterCount({ ...f, text: "x", range: "7d" })).toBe(4);
    expect(toggleValue(f, "provider", "aws").provider).toEqual([]);
  });
});
