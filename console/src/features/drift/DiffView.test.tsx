import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { DiffView } from "./DiffView";

const changes = [
  { path: "ingress[1].cidr_blocks", stateJson: '["10.0.0.0/8"]', liveJson: '["0.0.0.0/0"]' },
  { path: "tags", stateJson: '{"Env":"prod","Owner":"web"}', liveJson: '{"Env":"prod","Owner":"ops"}' },
];

describe("DiffView", () => {
  it("shows each attribute side by side with the changed lines marked", () => {
    render(<DiffView changes={changes} />);
    const region = screen.getByRole("region", { name: "Diff of ingress[1].cidr_blocks" });
    expect(within(region).getByText("Terraform state")).toBeInTheDocument();
    expect(within(region).getByText("Live cloud")).toBeInTheDocument();
    const removed = within(region).getByText('"10.0.0.0/8"', { exact: false }).closest("[data-op]");
    const added = within(region).getByText('"0.0.0.0/0"', { exact: false }).closest("[data-op]");
    expect(removed).toHaveAttribute("data-op", "removed");
    expect(added).toHaveAttribute("data-op", "added");
    expect(within(region).getAllByText("[")[0]!.closest("[data-op]")).toHaveAttribute("data-op", "same");
    // Changes are announced in words, not only color.
    expect(within(region).getByText("removed:", { exact: false })).toBeInTheDocument();
  });

  it("pretty-prints objects so only the changed key is highlighted", () => {
    render(<DiffView changes={changes} />);
    const region = screen.getByRole("region", { name: "Diff of tags" });
    expect(within(region).getAllByText('"Env": "prod",', { exact: false })[0]!.closest("[data-op]")).toHaveAttribute("data-op", "same");
    expect(within(region).getByText('"Owner": "web"', { exact: false }).closest("[data-op]")).toHaveAttribute("data-op", "removed");
  });

  it("collapses and expands all attributes", async () => {
    const user = userEvent.setup();
    render(<DiffView changes={changes} />);
    const toggles = screen.getAllByRole("button", { expanded: true });
    expect(toggles).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Collapse all" }));
    expect(screen.getAllByRole("button", { expanded: false })).toHaveLength(2);
    expect(screen.queryByText("Terraform state")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /ingress\[1\]\.cidr_blocks/ }));
    expect(screen.getByRole("button", { name: /ingress\[1\]\.cidr_blocks/ })).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByRole("button", { name: /tags/ })).toHaveAttribute("aria-expanded", "false");
    await user.click(screen.getByRole("button", { name: "Expand all" }));
    expect(screen.getAllByRole("button", { expanded: true })).toHaveLength(2);
  });

  it("switches to an inline diff", async () => {
    const user = userEvent.setup();
    render(<DiffView changes={changes.slice(0, 1)} />);
    await user.click(screen.getByRole("tab", { name: "Inline" }));
    expect(screen.getByRole("tab", { name: "Inline" })).toHaveAttribute("aria-selected", "true");
    expect(screen.queryByText("Terraform state")).not.toBeInTheDocument();
    const region = screen.getByRole("region", { name: "Diff of ingress[1].cidr_blocks" });
    const ops = [...region.querySelectorAll("[data-op]")].map((e) => e.getAttribute("data-op"));
    expect(ops).toEqual(["same", "removed", "added", "same"]);
  });

  it("says so when there is nothing to compare", () => {
    render(<DiffView changes={[]} />);
    expect(screen.getByText(/No attribute differences/)).toBeInTheDocument();
  });
});
