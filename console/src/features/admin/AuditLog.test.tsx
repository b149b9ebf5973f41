import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Toaster } from "@/components/ui/toast";
import { mockClients, renderApp } from "@/test/render";
import { auditEvent, tenancyServer } from "@/test/tenancy";
import AuditLog, { AUDIT_PAGE_SIZE } from "./AuditLog";

function open(route: string, o: Parameters<typeof tenancyServer>[0] = {}) {
  const server = tenancyServer(o);
  const r = renderApp(
    <>
      <AuditLog />
      <Toaster />
    </>,
    { clients: mockClients(server.routes), route, path: "/admin/audit" },
  );
  return { ...server, ...r };
}

const log = Array.from({ length: 3 }, (_, i) => auditEvent(i + 1));
log.push(
  auditEvent(4, {
    actor: { kind: "key", id: "k9" },
    action: "/driftmgr.v1.TenancyService/CreateAPIKey",
    argsJson: '{"description":"ci","ttl_seconds":"3600","user_id":"usr-ada"}',
    outcome: "permission_denied",
    error: "key:k9 (viewer) may not call CreateAPIKey",
  }),
);

describe("Audit log", () => {
  it("lists entries newest first from the API", async () => {
    const { calls } = open("/admin/audit", { audit: log });
    const table = await screen.findByRole("table", { name: "Audit entries, newest first" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual(["4", "3", "2", "1"]);
    expect(rows[0]).toHaveTextContent("key k9");
    expect(rows[0]).toHaveTextContent("TenancyService/CreateAPIKey");
    expect(rows[0]).toHaveTextContent("permission_denied");
    expect(rows[1]).toHaveTextContent("ok");
    expect(calls.listAudit[0]).toMatchObject({ newest: true, pageSize: AUDIT_PAGE_SIZE, pageToken: "", actorKind: "", outcome: "" });
    expect(screen.getByText("4 entries shown, newest first")).toBeInTheDocument();
  });

  it("maps the filters in the URL to the request", async () => {
    const { calls } = open(
      "/admin/audit?range=custom&since=2026-05-01T10:00&until=2026-05-02T10:00&actor_kind=user&actor=usr-ada&action=%2Fdriftmgr.v1.TenancyService%2F&outcome=failed",
      { audit: log },
    );
    await waitFor(() => expect(calls.listAudit).toHaveLength(1));
    const req = calls.listAudit[0]!;
    expect(timestampDate(req.since!).toISOString()).toBe(new Date("2026-05-01T10:00").toISOString());
    expect(timestampDate(req.until!).toISOString()).toBe(new Date("2026-05-02T10:00").toISOString());
    expect(req).toMatchObject({
      actorKind: "user",
      actorId: "usr-ada",
      actionPrefix: "/driftmgr.v1.TenancyService/",
      outcome: "failed",
      newest: true,
    });
    // The form shows the filter it came from.
    expect(await screen.findByLabelText("Actor ID")).toHaveValue("usr-ada");
    expect(screen.getByRole("combobox", { name: "Outcome" })).toHaveTextContent("Failed (any code)");
    expect(screen.getByRole("combobox", { name: "Actor kind" })).toHaveTextContent("user");
    expect(screen.getByLabelText("From")).toHaveValue("2026-05-01T10:00");
  });

  it("applies filters typed in the form through the URL, and a relative range counts back from now", async () => {
    const user = userEvent.setup();
    const { calls, router } = open("/admin/audit?range=24h", { audit: log });
    await waitFor(() => expect(calls.listAudit).toHaveLength(1));
    const since = timestampDate(calls.listAudit[0]!.since!).getTime();
    expect(Math.abs(Date.now() - 86400_000 - since)).toBeLessThan(60_000);
    expect(calls.listAudit[0]!.until).toBeUndefined();
    await user.type(screen.getByLabelText("Actor ID"), "k9");
    await user.type(screen.getByLabelText("Action starts with"), "/driftmgr.v1.TenancyService/");
    await user.click(screen.getByRole("combobox", { name: "Outcome" }));
    await user.click(await screen.findByRole("option", { name: "permission_denied" }));
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    await waitFor(() => expect(calls.listAudit).toHaveLength(2));
    expect(calls.listAudit[1]).toMatchObject({ actorId: "k9", actionPrefix: "/driftmgr.v1.TenancyService/", outcome: "permission_denied" });
    const q = new URLSearchParams(router.state.location.search);
    expect(Object.fromEntries(q)).toEqual({
      range: "24h",
      actor: "k9",
      action: "/driftmgr.v1.TenancyService/",
      outcome: "permission_denied",
    });
    await user.click(screen.getByRole("button", { name: "Clear" }));
    await waitFor(() => expect(router.state.location.search).toBe(""));
  });

  it("refuses a custom range that ends before it starts", async () => {
    const user = userEvent.setup();
    const { calls } = open("/admin/audit?range=custom&since=2026-05-02T10:00", { audit: log });
    await waitFor(() => expect(calls.listAudit).toHaveLength(1));
    await user.type(screen.getByLabelText("Until"), "2026-05-01T10:00");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The start must come before the end.");
    expect(calls.listAudit).toHaveLength(1);
  });

  it("pages back through older entries", async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: AUDIT_PAGE_SIZE + 5 }, (_, i) => auditEvent(i + 1));
    const { calls } = open("/admin/audit", { audit: many });
    const table = await screen.findByRole("table", { name: "Audit entries, newest first" });
    expect(within(table).getAllByRole("row")).toHaveLength(AUDIT_PAGE_SIZE + 1);
    await user.click(screen.getByRole("button", { name: "Load older entries" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(AUDIT_PAGE_SIZE + 6));
    expect(calls.listAudit[1]).toMatchObject({ pageToken: String(AUDIT_PAGE_SIZE) });
    expect(screen.queryByRole("button", { name: "Load older entries" })).not.toBeInTheDocument();
  });

  it("opens an entry's detail: arguments, request, remote and its hashes", async () => {
    const user = userEvent.setup();
    open("/admin/audit", { audit: log });
    await user.click(await screen.findByRole("button", { name: "Details of entry 4" }));
    const drawer = screen.getByRole("dialog", { name: "Audit entry #4" });
    expect(within(drawer).getByLabelText("Arguments")).toHaveTextContent('"description": "ci"');
    expect(drawer).toHaveTextContent("req-4");
    expect(drawer).toHaveTextContent("10.0.0.7");
    expect(drawer).toHaveTextContent("key:k9 (viewer) may not call CreateAPIKey");
    expect(drawer).toHaveTextContent("h3");
    expect(drawer).toHaveTextContent("h4");
    expect(drawer).toHaveTextContent(/\.123456789Z/);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("says the empty result of a filter is the filter's", async () => {
    open("/admin/audit?outcome=data_loss", { audit: [] });
    expect(await screen.findByText("No entries match these filters")).toBeInTheDocument();
  });

  it("verifies the chain and shows its head", async () => {
    const user = userEvent.setup();
    const { calls } = open("/admin/audit", { audit: log });
    await user.click(await screen.findByRole("button", { name: "Verify chain" }));
    expect(await screen.findByText("Chain intact: 4 entries, head #4")).toBeInTheDocument();
    expect(screen.getByLabelText("Head hash")).toHaveTextContent("h4");
    expect(screen.getByRole("button", { name: "Copy head hash" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Verify chain" }));
    await waitFor(() => expect(calls.verify).toBe(2));
  });

  it("says where a broken chain breaks", async () => {
    const user = userEvent.setup();
    open("/admin/audit", { audit: log, verify: { headSeq: 4n, headHash: "h4", entries: 4n, error: "entry 3: hash mismatch" } });
    await user.click(await screen.findByRole("button", { name: "Verify chain" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The chain is broken");
    expect(alert).toHaveTextContent("entry 3: hash mismatch");
  });

  describe("export", () => {
    let saved: Blob | null = null;
    let name = "";
    beforeEach(() => {
      saved = null;
      URL.createObjectURL = vi.fn((b: Blob) => {
        saved = b;
        return "blob:audit";
      }) as typeof URL.createObjectURL;
      URL.revokeObjectURL = vi.fn();
      vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
        name = this.download;
      });
    });
    afterEach(() => vi.restoreAllMocks());

    it("downloads the whole log as JSON lines that ctl audit verify reads", async () => {
      const user = userEvent.setup();
      open("/admin/audit", { audit: log, exportBatch: 3 });
      await user.click(await screen.findByRole("button", { name: "Export JSONL" }));
      expect(await screen.findByText("Exported 4 audit entries")).toBeInTheDocument();
      expect(name).toMatch(/^driftmgr-audit-acme-\d{8}T\d{6}Z\.jsonl$/);
      const lines = (await saved!.text()).trimEnd().split("\n");
      expect(lines).toHaveLength(4);
      expect(lines[0]).toBe(
        '{"tenant":"acme","seq":1,"time":"2026-11-25T09:46:41.123456789Z","actor":{"kind":"user","id":"usr-ada","name":"ada@example.com"},' +
          '"action":"/driftmgr.v1.FindingsService/ListFindings","args":{"page_size":100},"remote":"10.0.0.7","request_id":"req-1",' +
          '"outcome":"ok","error":"","prev_hash":"","hash":"h1"}',
      );
      expect(JSON.parse(lines[3]!)).toMatchObject({ seq: 4, outcome: "permission_denied", prev_hash: "h3", hash: "h4" });
    });
  });
});
