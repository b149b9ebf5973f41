import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Code, ConnectError } from "@connectrpc/connect";
import { Severity } from "@/gen/driftmgr/v1/common_pb";
import { SecurityStatus } from "@/gen/driftmgr/v1/security_pb";
import { renderApp, withLayout } from "@/test/render";
import { secFinding, securityServer } from "@/test/security";
import SecurityFindings from "./SecurityFindings";

const many = (n: number) => Array.from({ length: n }, (_, i) => secFinding({ id: `f${i}` }));

describe("SecurityFindings", () => {
  let undo: () => void;
  beforeAll(() => {
    undo = withLayout();
  });
  afterAll(() => undo());

  it("shows the posture from GetCompliance: risk, verdict counts and a card per framework", async () => {
    const { clients } = securityServer({ findings: many(3) });
    renderApp(<SecurityFindings />, { clients, route: "/security", path: "/security" });
    const risk = await screen.findByRole("group", { name: "Risk score" });
    await waitFor(() => expect(risk).toHaveTextContent("37"));
    expect(screen.getByRole("group", { name: "Failing" })).toHaveTextContent("9");
    expect(screen.getByRole("group", { name: "Muted" })).toHaveTextContent("2");
    expect(screen.getByRole("group", { name: "Passing" })).toHaveTextContent("120");
    expect(screen.getByRole("group", { name: "Passing" })).toHaveTextContent("latest scans of 2 agents");
    const cis = screen.getByRole("group", { name: "CIS AWS Foundations v3.0" });
    expect(within(cis).getByRole("img", { name: "Score: 75.0%" })).toBeInTheDocument();
    expect(within(cis).getByText("2 of 12 failing")).toBeInTheDocument();
    expect(within(cis).getByRole("link", { name: /Report/ })).toHaveAttribute(
      "href",
      "/security/compliance?framework=CIS%20AWS%20Foundations%20v3.0",
    );
    const fsbp = screen.getByRole("group", { name: "AWS Foundational Security Best Practices" });
    expect(within(fsbp).getByRole("img", { name: "Score: 90.0%" })).toBeInTheDocument();
  });

  it("asks for findings with the URL's filters and sort, and lists them with severity, status and framework", async () => {
    const { clients, requests } = securityServer({
      findings: [secFinding({ id: "a1", severity: Severity.CRITICAL }), secFinding({ id: "a2", status: SecurityStatus.MUTED })],
    });
    renderApp(<SecurityFindings />, {
      clients,
      route: "/security?severity=critical&framework=CIS+AWS+Foundations+v3.0&sort=-last_seen",
      path: "/security",
    });
    const link = await screen.findByRole("link", { name: "aws_security_group.web_a1" });
    expect(link).toHaveAttribute("href", "/security/findings/a1");
    const r = requests[0]!;
    expect(r.orderBy).toBe("last_seen desc");
    expect(r.filter?.severity).toEqual([Severity.CRITICAL]);
    expect(r.filter?.framework).toEqual(["CIS AWS Foundations v3.0"]);
    expect(r.facets).toEqual(["severity", "status", "framework", "category", "check_id", "provider", "account", "region", "type"]);
    const table = screen.getByRole("table", { name: "Security findings" });
    const row = within(table).getAllByRole("row")[1]!;
    expect(within(row).getByText("Critical")).toBeInTheDocument();
    expect(within(row).getByText("Fail")).toBeInTheDocument();
    expect(within(row).getByText("DM-AWS-EC2-001")).toBeInTheDocument();
    expect(within(row).getByText("CIS AWS Foundations v3.0 +1")).toBeInTheDocument();
    expect(screen.getByText("1 finding")).toBeInTheDocument();
    const aside = screen.getByRole("complementary", { name: "Filters" });
    expect(within(within(aside).getByRole("group", { name: "Severity" })).getByRole("checkbox", { name: "Critical" })).toBeChecked();
    expect(within(within(aside).getByRole("group", { name: "Framework" })).getByRole("checkbox", { name: "CIS AWS Foundations v3.0" })).toBeChecked();
  });

  it("writes facet and sort changes to the URL and asks again", async () => {
    const user = userEvent.setup();
    const { clients, requests } = securityServer({
      findings: [secFinding({ id: "a1" }), secFinding({ id: "a2", status: SecurityStatus.MUTED })],
    });
    const { router } = renderApp(<SecurityFindings />, { clients, route: "/security", path: "/security" });
    await screen.findByRole("link", { name: "aws_security_group.web_a1" });
    const aside = screen.getByRole("complementary", { name: "Filters" });
    const status = within(aside).getByRole("group", { name: "Status" });
    expect(within(status).getByText("Muted")).toBeInTheDocument();
    await user.click(within(status).getByRole("checkbox", { name: "Muted" }));
    expect(router.state.location.search).toBe("?status=muted");
    await waitFor(() => expect(requests.at(-1)?.filter?.status).toEqual([SecurityStatus.MUTED]));
    expect(await screen.findByText("1 finding")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Check/ }));
    expect(router.state.location.search).toBe("?status=muted&sort=check_id");
    await waitFor(() => expect(requests.at(-1)?.orderBy).toBe("check_id"));
  });

  it("loads further pages with the page token, without facets", async () => {
    const { clients, requests } = securityServer({ findings: many(150) });
    renderApp(<SecurityFindings />, { clients, route: "/security", path: "/security", preloaded: { settings: { pageSize: 50 } } });
    await screen.findByRole("link", { name: "aws_security_group.web_f0" });
    await waitFor(() => expect(requests.length).toBeGreaterThanOrEqual(2));
    expect(requests[1]!.pageToken).toBe("50");
    expect(requests[1]!.facets).toEqual([]);
  });

  it("says when nothing fails, and when nothing matches", async () => {
    const a = renderApp(<SecurityFindings />, { clients: securityServer().clients, route: "/security", path: "/security" });
    expect(await screen.findByText("No failing checks")).toBeInTheDocument();
    a.unmount();
    renderApp(<SecurityFindings />, { clients: securityServer().clients, route: "/security?severity=low", path: "/security" });
    expect(await screen.findByText("No security findings match these filters")).toBeInTheDocument();
  });

  it("says so when the controller does not serve security findings, without a retry", async () => {
    const down = new ConnectError("not implemented", Code.Unimplemented);
    const { clients } = securityServer({ listError: down, compliance: down });
    renderApp(<SecurityFindings />, { clients, route: "/security", path: "/security" });
    expect(await screen.findByText("Security findings are not available")).toBeInTheDocument();
    expect(await screen.findByText("Security posture is not available")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Retry" })).not.toBeInTheDocument();
  });

  it("offers a retry when the listing fails otherwise", async () => {
    const { clients } = securityServer({ listError: new ConnectError("leader lost", Code.Unavailable) });
    renderApp(<SecurityFindings />, { clients, route: "/security", path: "/security" });
    expect(await screen.findByText("The security findings could not be loaded")).toBeInTheDocument();
    expect(screen.getByText("leader lost")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});
