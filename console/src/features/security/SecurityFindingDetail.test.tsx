import { describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { DriftKind } from "@/gen/driftmgr/v1/common_pb";
import { SecurityStatus } from "@/gen/driftmgr/v1/security_pb";
import { Toaster } from "@/components/ui/toast";
import { renderApp } from "@/test/render";
import { secFinding, securityServer } from "@/test/security";
import SecurityFindingDetail from "./SecurityFindingDetail";

function open(id: string, findings = [secFinding({ id: "a1" })]) {
  const { clients } = securityServer({ findings });
  return renderApp(
    <>
      <SecurityFindingDetail />
      <Toaster />
    </>,
    {
      clients,
      route: `/security/findings/${id}`,
      path: "/security/findings/:id",
      extraRoutes: [{ path: "/findings/:id", element: <p>drift finding page</p> }],
    },
  );
}

describe("SecurityFindingDetail", () => {
  it("shows what fails, the evidence, the controls and the fix", async () => {
    open("a1");
    expect(await screen.findByRole("heading", { level: 1, name: "Security group allows SSH from the internet" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "DM-AWS-EC2-001" })).toHaveAttribute("href", "/security?check_id=DM-AWS-EC2-001");
    expect(screen.getByText("aws_security_group.web_a1")).toBeInTheDocument();
    expect(screen.getByText("High")).toBeInTheDocument();
    expect(screen.getByText("Fail")).toBeInTheDocument();
    expect(screen.getByText("Judged on the live cloud")).toBeInTheDocument();
    expect(screen.getByText("ingress allows 0.0.0.0/0 to port 22")).toBeInTheDocument();
    const evidence = screen.getByLabelText("Evidence");
    expect(within(evidence).getByRole("term")).toHaveTextContent("ingress[0].cidr_blocks");
    expect(within(evidence).getByRole("definition")).toHaveTextContent('[ "0.0.0.0/0" ]');
    const cis = screen.getByRole("link", { name: "CIS AWS Foundations v3.0" });
    expect(cis).toHaveAttribute("href", "/security/compliance?framework=CIS%20AWS%20Foundations%20v3.0");
    expect(screen.getByText("5.2")).toBeInTheDocument();
    expect(screen.getByText("EC2.13")).toBeInTheDocument();
    expect(screen.getByText("Limit SSH to known addresses or use Session Manager.")).toBeInTheDocument();
    expect(screen.getByLabelText("Terraform fix")).toHaveTextContent('cidr_blocks = ["10.0.0.0/8"]');
  });

  it("copies the Terraform fix", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    open("a1");
    await user.click(await screen.findByRole("button", { name: "Copy Terraform fix" }));
    expect(writeText).toHaveBeenCalledWith(expect.stringContaining('resource "aws_security_group" "web"'));
    expect(await screen.findByText("Terraform fix copied")).toBeInTheDocument();
  });

  it("reports a secret by location only", async () => {
    open("s1", [
      secFinding({
        id: "s1",
        checkId: "DM-SECRET-001",
        title: "AWS access key in user data",
        category: "secret",
        locationPath: "user_data",
        locationLine: 14,
        evidence: [],
        message: "an AWS access key id",
      }),
    ]);
    const loc = await screen.findByRole("group", { name: "Location" });
    expect(loc).toHaveTextContent("Found at user_data, line 14");
    expect(loc).toHaveTextContent("the value is never sent or stored");
    expect(screen.getByText("Secret")).toBeInTheDocument();
  });

  it("says why a muted failure is accepted, and links its mutelist line", async () => {
    open("m1", [
      secFinding({
        id: "m1",
        status: SecurityStatus.MUTED,
        mute: { reason: "bastion behind NACL", owner: "platform-team", line: 7, expires: { seconds: 4070908800n } },
      }),
    ]);
    const card = (await screen.findByRole("heading", { name: "Muted" })).closest("div.rounded-lg") as HTMLElement;
    expect(within(card).getByText("bastion behind NACL")).toBeInTheDocument();
    expect(within(card).getByText("platform-team")).toBeInTheDocument();
    expect(within(card).getByRole("link", { name: "Mutelist line 7" })).toHaveAttribute("href", "/security/mutelist?line=7");
  });

  it("shows a drift's two sides and links the drift finding", async () => {
    const user = userEvent.setup();
    const { router } = open("d1", [
      secFinding({
        id: "d1",
        checkId: "DM-DRIFT-AWS-EC2-001",
        category: "drift",
        drift: {
          kind: DriftKind.MODIFIED,
          checkId: "DM-AWS-EC2-001",
          findingId: "drift-7",
          state: { status: "PASS", message: "ingress limited to 10.0.0.0/8", evidence: [{ path: "ingress[0].cidr_blocks", valueJson: '["10.0.0.0/8"]' }] },
          live: { status: "FAIL", message: "this drift opened port 22 to the world", evidence: [{ path: "ingress[0].cidr_blocks", valueJson: '["0.0.0.0/0"]' }] },
          changes: [{ path: "ingress", stateJson: '[{"cidr_blocks":["10.0.0.0/8"]}]', liveJson: '[{"cidr_blocks":["0.0.0.0/0"]}]' }],
        },
      }),
    ]);
    expect(await screen.findByText(/This modified drift made DM-AWS-EC2-001 fail/)).toBeInTheDocument();
    const state = screen.getByRole("region", { name: "Terraform state" });
    const live = screen.getByRole("region", { name: "Live cloud" });
    expect(within(state).getByText("Pass")).toBeInTheDocument();
    expect(within(state).getByText(/10\.0\.0\.0\/8/, { selector: "pre" })).toBeInTheDocument();
    expect(within(live).getByText("Fail")).toBeInTheDocument();
    expect(within(live).getByText("this drift opened port 22 to the world")).toBeInTheDocument();
    expect(within(live).getByText(/0\.0\.0\.0\/0/, { selector: "pre" })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Diff of ingress" })).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "Open the drift finding" }));
    expect(router.state.location.pathname).toBe("/findings/drift-7");
  });

  it("says a finding is gone, without a retry", async () => {
    open("nope");
    expect(await screen.findByText("This security finding does not exist")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Retry" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "← Security findings" })).toHaveAttribute("href", "/security");
  });
});
