import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderApp } from "@/test/render";
import { secFinding, securityServer } from "@/test/security";
import Compliance from "./Compliance";
import Policies from "./Policies";

function open(route = "/security/compliance") {
  const server = securityServer({ findings: [secFinding({ id: "a1" }), secFinding({ id: "a2" })] });
  return { ...server, ...renderApp(<Compliance />, { clients: server.clients, route, path: "/security/compliance" }) };
}

describe("Compliance", () => {
  it("shows the first framework's score and its controls", async () => {
    open();
    expect(await screen.findByRole("img", { name: "CIS AWS Foundations v3.0 score: 75.0%" })).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Framework" })).toHaveTextContent("CIS AWS Foundations v3.0 — 75.0%");
    const table = screen.getByRole("table", { name: "Controls of CIS AWS Foundations v3.0" });
    const rows = within(table).getAllByRole("row");
    expect(rows[0]).toHaveTextContent("ControlStatusChecksPassedFailedMutedEvidence");
    const r52 = rows.find((r) => r.textContent?.startsWith("5.2"))!;
    expect(within(r52).getByText("Fail")).toBeInTheDocument();
    expect(within(r52).getByRole("link", { name: "DM-AWS-EC2-001" })).toHaveAttribute(
      "href",
      "/security?check_id=DM-AWS-EC2-001&check_id=DM-DRIFT-AWS-EC2-001",
    );
    expect(within(r52).getAllByRole("cell").map((c) => c.textContent).slice(3, 6)).toEqual(["4", "2", "1"]);
    const r14 = rows.find((r) => r.textContent?.startsWith("1.4"))!;
    expect(within(r14).getByText("Pass")).toBeInTheDocument();
  });

  it("lists a control's failing findings by resource when asked", async () => {
    const user = userEvent.setup();
    const { calls } = open();
    const show = await screen.findByRole("button", { name: "Show 2 failing findings of control 5.2" });
    expect(calls.getFinding).toEqual([]);
    await user.click(show);
    expect(show).toHaveAttribute("aria-expanded", "true");
    const list = screen.getByRole("list", { name: "Failing findings of control 5.2" });
    const a1 = await within(list).findByRole("link", { name: "aws_security_group.web_a1 — DM-AWS-EC2-001" });
    expect(a1).toHaveAttribute("href", "/security/findings/a1");
    expect(screen.getByRole("link", { name: "List every failing finding of these checks" })).toHaveAttribute(
      "href",
      "/security?status=fail&framework=CIS+AWS+Foundations+v3.0&check_id=DM-AWS-EC2-001&check_id=DM-DRIFT-AWS-EC2-001",
    );
  });

  it("follows the framework and status in the URL", async () => {
    open("/security/compliance?framework=AWS+Foundational+Security+Best+Practices");
    expect(await screen.findByRole("img", { name: "AWS Foundational Security Best Practices score: 90.0%" })).toBeInTheDocument();
    expect(screen.getByText("No control has this status")).toBeInTheDocument();
  });

  it("filters controls by status", async () => {
    open("/security/compliance?status=pass");
    const table = await screen.findByRole("table", { name: "Controls of CIS AWS Foundations v3.0" });
    expect(within(table).getAllByRole("row")).toHaveLength(2); // the header and 1.4
    expect(within(table).queryByText("5.2")).not.toBeInTheDocument();
  });

  it("says when a framework has no verdicts", async () => {
    open("/security/compliance?framework=PCI+DSS");
    expect(await screen.findByText("No verdicts for PCI DSS")).toBeInTheDocument();
  });
});

describe("Policies", () => {
  it("lists the tenant's policies with their checks and source", async () => {
    const user = userEvent.setup();
    const { clients } = securityServer();
    renderApp(<Policies />, { clients, route: "/security/policies", path: "/security/policies" });
    const table = await screen.findByRole("table", { name: "Rego policies" });
    expect(within(table).getByText("require_owner_tag.rego")).toBeInTheDocument();
    expect(within(table).getByRole("link", { name: "ORG-TAG-001" })).toHaveAttribute("href", "/security?check_id=ORG-TAG-001");
    await user.click(within(table).getByRole("button", { name: "Show source of require_owner_tag.rego" }));
    expect(screen.getByLabelText("Source of require_owner_tag.rego")).toHaveTextContent("package driftmgr.require_owner_tag");
  });
});
