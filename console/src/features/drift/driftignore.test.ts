import { describe, expect, it } from "vitest";
import { DriftKind } from "@/api/model";
import { finding } from "@/test/fixtures";
import { attributeRule, driftignoreLines, resourceRule } from "./driftignore";

describe("driftignore", () => {
  it("names a resource as type.id", () => {
    expect(resourceRule("aws_iam_user", "break-glass-admin")).toBe("aws_iam_user.break-glass-admin");
  });

  it("escapes dots, stars and backslashes in ids as gen-driftignore does", () => {
    expect(resourceRule("aws_s3_bucket", "logs.example.com")).toBe("aws_s3_bucket.logs\\.example\\.com");
    expect(resourceRule("x", "a*b\\c")).toBe("x.a\\*b\\\\c");
    expect(resourceRule("#weird", "id ")).toBe("\\#weird.id\\ ");
  });

  it("writes one line per attribute of a MODIFIED finding, sorted", () => {
    const f = finding({
      id: "1",
      changes: [
        { path: "tags.Owner", stateJson: '"a"', liveJson: '"b"' },
        { path: "ingress[1].cidr_blocks", stateJson: "[]", liveJson: "[]" },
      ],
    });
    expect(driftignoreLines(f)).toEqual(["aws_instance.i-1.ingress[1].cidr_blocks", "aws_instance.i-1.tags.Owner"]);
    expect(attributeRule("t", "i", "")).toBe("t.i");
  });

  it("ignores the whole resource for MISSING and UNMANAGED", () => {
    expect(driftignoreLines(finding({ id: "2", kind: DriftKind.UNMANAGED, changes: [] }))).toEqual(["aws_instance.i-2"]);
    expect(driftignoreLines(finding({ id: "3", kind: DriftKind.MISSING }))).toEqual(["aws_instance.i-3"]);
  });
});
