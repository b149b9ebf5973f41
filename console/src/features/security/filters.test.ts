import { describe, expect, it } from "vitest";
import { Severity } from "@/api/model";
import { SecurityStatus } from "@/api/securityModel";
import {
  activeSecurityFilterCount,
  emptySecurityFilters,
  findingsLink,
  nextSecuritySort,
  parseSecurityFilters,
  securityOrderBy,
  serializeSecurityFilters,
  toggleSecurityValue,
  toSecurityFilterArgs,
} from "./filters";

const q = (s: string) => parseSecurityFilters(new URLSearchParams(s));

describe("security filters <-> URL", () => {
  it("round-trips every field", () => {
    const f = {
      ...emptySecurityFilters(),
      severity: ["critical", "high"],
      status: ["fail", "muted"],
      framework: ["CIS AWS Foundations v3.0", "AWS Foundational Security Best Practices"],
      category: ["drift"],
      check_id: ["DM-AWS-EC2-001"],
      provider: ["aws"],
      account: ["123456789012"],
      region: ["", "eu-west-1"],
      type: ["aws_security_group"],
      text: "sg-0a1",
      sort: { field: "check_id" as const, desc: false },
    };
    const back = parseSecurityFilters(serializeSecurityFilters(f));
    expect(back).toEqual({ ...f, framework: ["AWS Foundational Security Best Practices", "CIS AWS Foundations v3.0"] });
  });

  it("keeps framework names with spaces and dots readable in the link", () => {
    expect(findingsLink({ framework: ["CIS AWS Foundations v3.0"], status: ["fail"] })).toBe(
      "/security?status=fail&framework=CIS+AWS+Foundations+v3.0",
    );
    expect(findingsLink({})).toBe("/security");
  });

  it("leaves defaults out and writes values in a stable order", () => {
    expect(serializeSecurityFilters(emptySecurityFilters()).toString()).toBe("");
    const a = serializeSecurityFilters({ ...emptySecurityFilters(), severity: ["low", "critical"], check_id: ["B", "A"] }).toString();
    expect(a).toBe("severity=critical&severity=low&check_id=A&check_id=B");
  });

  it("drops unknown severities, statuses and sorts, and duplicates", () => {
    const f = q("severity=critical&severity=urgent&status=pass&status=fail&status=fail&sort=-secret_value");
    expect(f.severity).toEqual(["critical"]);
    // Passes are counted, never listed: pass is not a listing filter.
    expect(f.status).toEqual(["fail"]);
    expect(f.sort).toEqual({ field: "severity", desc: true });
    expect(q("sort=-last_seen").sort).toEqual({ field: "last_seen", desc: true });
  });
});

describe("toSecurityFilterArgs", () => {
  it("maps URL names to the API's enums and field names", () => {
    expect(toSecurityFilterArgs(q("severity=high&status=muted&check_id=DM-1&framework=F&category=secret&q=%20key%20"))).toEqual({
      severity: [Severity.HIGH],
      status: [SecurityStatus.MUTED],
      checkId: ["DM-1"],
      framework: ["F"],
      category: ["secret"],
      text: "key",
    });
    expect(toSecurityFilterArgs(emptySecurityFilters())).toEqual({});
  });
});

describe("sorting and toggling", () => {
  it("flips the sorted column and starts a new one at its natural order", () => {
    expect(nextSecuritySort({ field: "severity", desc: true }, "severity")).toEqual({ field: "severity", desc: false });
    expect(nextSecuritySort({ field: "severity", desc: true }, "check_id")).toEqual({ field: "check_id", desc: false });
    expect(nextSecuritySort({ field: "check_id", desc: false }, "last_seen")).toEqual({ field: "last_seen", desc: true });
    expect(securityOrderBy({ field: "last_seen", desc: true })).toBe("last_seen desc");
    expect(securityOrderBy({ field: "resource_id", desc: false })).toBe("resource_id");
  });

  it("toggles values and counts active filters", () => {
    let f = toggleSecurityValue(emptySecurityFilters(), "framework", "F");
    f = toggleSecurityValue(f, "severity", "high");
    expect(activeSecurityFilterCount({ ...f, text: "x" })).toBe(3);
    expect(toggleSecurityValue(f, "framework", "F").framework).toEqual([]);
  });
});
