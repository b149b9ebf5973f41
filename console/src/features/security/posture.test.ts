import { describe, expect, it } from "vitest";
import { controlsByFramework, driftCheckId, withDriftChecks, formatPercent, formatRisk, frameworksOf, prettyJson, scorePercent, scoreTone } from "./posture";
import { errorLine, lineRange } from "./mutelist";

describe("scorePercent", () => {
  it("reads the documented fraction", () => {
    expect(scorePercent({ score: 0.75, passed: 3, failed: 1 })).toBe(75);
    expect(scorePercent({ score: 1, passed: 4, failed: 0 })).toBe(100);
    expect(scorePercent({ score: 0, passed: 0, failed: 5 })).toBe(0);
  });

  it("reads a percentage too", () => {
    expect(scorePercent({ score: 75, passed: 3, failed: 1 })).toBe(75);
    expect(scorePercent({ score: 100, passed: 4, failed: 0 })).toBe(100);
    // 1 of 200 passed: 0.5 is the percentage, not half.
    expect(scorePercent({ score: 0.5, passed: 1, failed: 199 })).toBe(0.5);
  });

  it("has no score without verdicts", () => {
    expect(scorePercent({ score: 0, passed: 0, failed: 0 })).toBeNull();
  });
});

describe("formatting", () => {
  it("shows one decimal and never rounds a failure up to 100%", () => {
    expect(formatPercent(75)).toBe("75.0%");
    expect(formatPercent((2 / 3) * 100)).toBe("66.6%");
    expect(formatPercent(0.29 * 100)).toBe("29.0%");
    expect(formatPercent((999 / 1000) * 100)).toBe("99.9%");
    expect(formatPercent((9999 / 10000) * 100)).toBe("99.9%");
    expect(formatPercent(100)).toBe("100%");
    expect(formatPercent(null)).toBe("—");
  });

  it("grades scores", () => {
    expect(scoreTone(95)).toBe("good");
    expect(scoreTone(90)).toBe("good");
    expect(scoreTone(75)).toBe("warn");
    expect(scoreTone(12)).toBe("danger");
    expect(scoreTone(null)).toBe("none");
  });

  it("shows the risk score as a number", () => {
    expect(formatRisk(37)).toBe("37");
    expect(formatRisk(1234.56)).toBe("1,234.6");
    expect(formatRisk(NaN)).toBe("—");
  });

  it("pretty-prints JSON evidence and leaves other text alone", () => {
    expect(prettyJson('{"from_port":22,"cidr":["0.0.0.0/0"]}')).toBe('{\n  "from_port": 22,\n  "cidr": [\n    "0.0.0.0/0"\n  ]\n}');
    expect(prettyJson("not json")).toBe("not json");
    expect(prettyJson("")).toBe("");
  });
});

describe("frameworks of a finding", () => {
  const controls = [
    { framework: "CIS AWS Foundations v3.0", control: "5.2" },
    { framework: "AWS Foundational Security Best Practices", control: "EC2.19" },
    { framework: "CIS AWS Foundations v3.0", control: "5.3" },
    { framework: "CIS AWS Foundations v3.0", control: "5.2" },
  ];
  it("lists each framework once and groups controls under it", () => {
    expect(frameworksOf({ controls })).toEqual(["CIS AWS Foundations v3.0", "AWS Foundational Security Best Practices"]);
    expect(controlsByFramework(controls)).toEqual([
      ["CIS AWS Foundations v3.0", ["5.2", "5.3"]],
      ["AWS Foundational Security Best Practices", ["EC2.19"]],
    ]);
  });
});

describe("mutelist errors", () => {
  it("finds the line an error names", () => {
    expect(errorLine("scan: mutelist mutelist.yaml:5: entry 1 needs owner")).toBe(5);
    expect(errorLine("scan: mutelist mutelist: yaml: line 3: mapping values are not allowed in this context")).toBe(3);
    expect(errorLine("yaml: unmarshal errors:\n  line 4: field colour not found in type scan.MuteEntry")).toBe(4);
    expect(errorLine("entry 2 needs reason")).toBeNull();
    expect(errorLine("permission denied")).toBeNull();
  });

  it("finds where a line is in the text", () => {
    const t = "mutelist:\n  - check: A\n    resource: b\n";
    expect(t.slice(...lineRange(t, 2))).toBe("  - check: A");
    expect(t.slice(...lineRange(t, 1))).toBe("mutelist:");
    expect(lineRange(t, 99)).toEqual([t.length, t.length]);
  });
});

describe("drift check ids", () => {
  it("follows scan.DriftCheckID", () => {
    expect(driftCheckId("DM-AWS-EC2-001")).toBe("DM-DRIFT-AWS-EC2-001");
    expect(driftCheckId("ORG-TAG-001")).toBe("DM-DRIFT-ORG-TAG-001");
    expect(withDriftChecks(["DM-A-1", "DM-A-1"])).toEqual(["DM-A-1", "DM-DRIFT-A-1"]);
  });
});
