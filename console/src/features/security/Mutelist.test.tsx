import { describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Code, ConnectError } from "@connectrpc/connect";
import { securityApi } from "@/api/securityApi";
import { Toaster } from "@/components/ui/toast";
import { renderApp } from "@/test/render";
import { securityServer } from "@/test/security";
import Mutelist from "./Mutelist";

const yaml = "mutelist:\n  - check: DM-AWS-EC2-001\n    resource: aws_security_group.sg-0b1\n    reason: bastion\n    owner: platform-team\n";

function open(put?: (y: string) => number, route = "/security/mutelist", role = "admin") {
  const server = securityServer({ mutelist: yaml, putMutelist: put, role });
  const r = renderApp(
    <>
      <Mutelist />
      <Toaster />
    </>,
    { clients: server.clients, route, path: "/security/mutelist" },
  );
  return { ...server, ...r };
}

const editor = () => screen.getByRole("textbox", { name: "Mutelist YAML" }) as HTMLTextAreaElement;

describe("Mutelist", () => {
  it("shows the tenant's mutelist and who changed it last", async () => {
    open();
    await waitFor(() => expect(editor().value).toBe(yaml));
    expect(screen.getByText("key:adm1")).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Save" })).toBeDisabled();
  });

  it("lets a viewer read the mutelist but offers no editing", async () => {
    const { calls } = open(undefined, "/security/mutelist", "viewer");
    await waitFor(() => expect(editor().value).toBe(yaml));
    expect(await screen.findByText("Read-only: changing the mutelist needs an admin.")).toBeInTheDocument();
    expect(editor()).toHaveAttribute("readonly");
    expect(editor()).toHaveAccessibleDescription("Read-only: changing the mutelist needs an admin.");
    expect(screen.queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
    fireEvent.keyDown(editor(), { key: "s", ctrlKey: true });
    expect(calls.putMutelist).toEqual([]);
  });

  it("saves an edit, then refetches the findings and the posture it re-mutes", async () => {
    const user = userEvent.setup();
    const { calls, store } = open(() => 2);
    await waitFor(() => expect(editor().value).toBe(yaml));
    // Something on screen that reads findings and the posture.
    const subs = [store.dispatch(securityApi.endpoints.getCompliance.initiate())];
    await waitFor(() => expect(calls.getCompliance).toBe(1));
    const more = yaml + "  - check: DM-AWS-S3-*\n    resource: '*'\n    reason: logs bucket\n    owner: data\n";
    fireEvent.change(editor(), { target: { value: more } });
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();
    await user.click(await screen.findByRole("button", { name: "Save" }));
    expect(await screen.findByText("Mutelist saved: 2 entries")).toBeInTheDocument();
    expect(editor().value).toBe(more);
    expect(calls.putMutelist).toEqual([more]);
    await waitFor(() => expect(calls.getMutelist).toBe(2));
    await waitFor(() => expect(calls.getCompliance).toBe(2));
    expect(editor().value).toBe(more);
    expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
    subs.forEach((s) => s.unsubscribe());
  });

  it("shows the line and reason of a refused list beside the editor and keeps the edit", async () => {
    const user = userEvent.setup();
    const { calls } = open(() => {
      throw new ConnectError("scan: mutelist mutelist:2: entry 1 needs owner", Code.InvalidArgument);
    });
    await waitFor(() => expect(editor().value).toBe(yaml));
    const bad = yaml.replace("    owner: platform-team\n", "");
    fireEvent.change(editor(), { target: { value: bad } });
    await user.click(await screen.findByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The mutelist was refused: line 2");
    expect(alert).toHaveTextContent("entry 1 needs owner");
    expect(alert).toHaveTextContent("Your edit is kept; nothing was saved.");
    expect(editor()).toHaveAttribute("aria-invalid", "true");
    expect(editor()).toHaveAccessibleDescription(/line 2/);
    expect(editor().value).toBe(bad);
    expect(calls.getMutelist).toBe(1);
    await user.click(screen.getByRole("button", { name: "Go to line 2" }));
    expect(editor()).toHaveFocus();
    expect(bad.slice(editor().selectionStart, editor().selectionEnd)).toBe("  - check: DM-AWS-EC2-001");
  });

  it("says only an admin may save when the key may not", async () => {
    const user = userEvent.setup();
    open(() => {
      throw new ConnectError("key:v1 (viewer) may not call PutMutelist", Code.PermissionDenied);
    });
    await waitFor(() => expect(editor().value).toBe(yaml));
    fireEvent.change(editor(), { target: { value: yaml + "# x\n" } });
    await user.click(await screen.findByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Only an admin can change the mutelist");
    expect(editor()).toHaveAttribute("aria-invalid", "false");
  });

  it("lands on the line a mute names", async () => {
    open(undefined, "/security/mutelist?line=3");
    await waitFor(() => expect(editor()).toHaveFocus());
    expect(yaml.slice(editor().selectionStart, editor().selectionEnd)).toBe("    resource: aws_security_group.sg-0b1");
  });
});
