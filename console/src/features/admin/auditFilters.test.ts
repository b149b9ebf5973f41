import { describe, expect, it } from "vitest";
import { filterProblem, noFilter, procedureParts, readFilter, toQuery, writeFilter } from "./auditFilters";

describe("audit filters", () => {
  const now = Date.parse("2026-05-10T12:00:00Z");

  it("round-trips through the URL, leaving out what is empty", () => {
    const f = { ...noFilter, range: "7d", actorKind: "key", actor: "k1", outcome: "ok" };
    const p = writeFilter(f);
    expect(p.toString()).toBe("range=7d&actor_kind=key&actor=k1&outcome=ok");
    expect(readFilter(p)).toEqual(f);
  });

  it("keeps custom times only for a custom range, and ignores an unknown range", () => {
    expect(readFilter(new URLSearchParams("range=24h&since=2026-05-01T10:00"))).toMatchObject({ range: "24h", since: "" });
    expect(readFilter(new URLSearchParams("range=forever"))).toMatchObject({ range: "" });
    expect(writeFilter({ ...noFilter, range: "1h", since: "2026-05-01T10:00" }).toString()).toBe("range=1h");
  });

  it("maps a relative range to since, counted back from now", () => {
    expect(toQuery({ ...noFilter, range: "1h" }, now, 50)).toEqual({ pageSize: 50, since: "2026-05-10T11:00:00.000Z" });
    expect(toQuery({ ...noFilter, range: "30d" }, now, 50).since).toBe("2026-04-10T12:00:00.000Z");
    expect(toQuery(noFilter, now, 50)).toEqual({ pageSize: 50 });
  });

  it("maps every field, trimmed", () => {
    const q = toQuery(
      {
        range: "custom",
        since: "2026-05-01T10:00",
        until: "",
        actorKind: "user",
        actor: " usr-1 ",
        action: " /driftmgr.v1.AuditService/ ",
        outcome: "not_found",
      },
      now,
      25,
    );
    expect(q).toEqual({
      pageSize: 25,
      since: new Date("2026-05-01T10:00").toISOString(),
      actorKind: "user",
      actorId: "usr-1",
      actionPrefix: "/driftmgr.v1.AuditService/",
      outcome: "not_found",
    });
  });

  it("checks a custom range", () => {
    expect(filterProblem({ ...noFilter, range: "custom" })).toMatch(/start, an end or both/);
    expect(filterProblem({ ...noFilter, range: "custom", since: "2026-05-02T00:00", until: "2026-05-01T00:00" })).toMatch(/before the end/);
    expect(filterProblem({ ...noFilter, range: "custom", until: "2026-05-01T00:00" })).toBeNull();
  });

  it("splits a procedure into service and method; a route stays whole", () => {
    expect(procedureParts("/driftmgr.v1.TenancyService/ListUsers")).toEqual({ service: "TenancyService", method: "ListUsers" });
    expect(procedureParts("console.sign_in.password")).toBeNull();
  });
});
