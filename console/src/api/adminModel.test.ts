import { describe, expect, it } from "vitest";
import { auditEvent } from "@/test/tenancy";
import { auditLine, keyState, rfc3339Nano, toAPIKey } from "./adminModel";
import { apiKey } from "@/test/tenancy";

describe("audit export lines", () => {
  it("write the time to the nanosecond, as Go's RFC3339Nano does", () => {
    expect(rfc3339Nano({ seconds: 1795600000n, nanos: 0 })).toBe("2026-11-25T09:46:40Z");
    expect(rfc3339Nano({ seconds: 1795600000n, nanos: 120000000 })).toBe("2026-11-25T09:46:40.12Z");
    expect(rfc3339Nano({ seconds: 1795600000n, nanos: 5 })).toBe("2026-11-25T09:46:40.000000005Z");
  });

  it("keep the arguments exactly as stored (numbers' text included), on one line", () => {
    const e = auditEvent(2, { argsJson: '{"b": 1.50,\n "a": {"x": [1, 2]}}', error: 'say "no"\n' });
    const line = auditLine(e);
    expect(line).not.toContain("\n");
    expect(line).toContain('"args":{"b": 1.50,  "a": {"x": [1, 2]}}');
    expect(JSON.parse(line)).toMatchObject({
      seq: 2,
      error: 'say "no"\n',
      prev_hash: "h1",
      hash: "h2",
      actor: { kind: "user", id: "usr-ada" },
    });
  });

  it("write empty arguments as {} and arguments that are not JSON as a string", () => {
    expect(JSON.parse(auditLine(auditEvent(1, { argsJson: "" }))).args).toEqual({});
    expect(JSON.parse(auditLine(auditEvent(1, { argsJson: "{broken" }))).args).toBe("{broken");
  });
});

describe("key state", () => {
  it("is revoked, expired or active", () => {
    const now = Date.parse("2026-12-01T00:00:00Z");
    expect(keyState(toAPIKey(apiKey({ id: "a", revoked: true })), now)).toBe("revoked");
    expect(keyState(toAPIKey(apiKey({ id: "b", expiresAt: { seconds: 1795600000n } })), now)).toBe("expired");
    expect(keyState(toAPIKey(apiKey({ id: "c", expiresAt: { seconds: 1895600000n } })), now)).toBe("active");
    expect(keyState(toAPIKey(apiKey({ id: "d" })), now)).toBe("active");
  });
});
