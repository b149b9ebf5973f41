import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { keyAuth } from "@/test/auth";
import { renderConsole } from "@/test/app";

// Lazy screens are transformed on first import here: allow for it.
const lazy = { timeout: 10000 };

describe("the admin navigation", () => {
  it("is shown to an admin", async () => {
    renderConsole("/settings", { preloaded: { auth: keyAuth() }, me: { role: "admin" } });
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(await within(nav).findByRole("link", { name: "Users & keys" })).toHaveAttribute("href", "/admin/users");
    expect(within(nav).getByRole("link", { name: "Audit log" })).toHaveAttribute("href", "/admin/audit");
  });

  it("is hidden from a viewer, and the screens say why when reached by address", async () => {
    renderConsole("/admin/audit", { preloaded: { auth: keyAuth() }, me: { role: "viewer" } });
    expect(await screen.findByRole("heading", { name: "Not permitted" }, lazy)).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("needs the audit.read permission, which your role (viewer) does not have");
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Audit log" })).not.toBeInTheDocument();
    expect(within(nav).queryByRole("link", { name: "Users & keys" })).not.toBeInTheDocument();
  });
});
