import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { create } from "@bufbuild/protobuf";
import { FindingsService, type ListFindingsRequest } from "@/gen/driftmgr/v1/query_pb";
import { FindingSchema, Severity } from "@/gen/driftmgr/v1/common_pb";
import { renderApp, mockClients, withLayout } from "@/test/render";
import Inventory from "./Inventory";

function fakeServer(total: number) {
  const requests: ListFindingsRequest[] = [];
  const clients = mockClients(({ service }) => {
    service(FindingsService, {
      listFindings: (req) => {
        requests.push(req);
        const start = req.pageToken ? Number(req.pageToken) : 0;
        const end = Math.min(total, start + req.pageSize);
        const findings = [];
        for (let i = start; i < end; i++) {
          findings.push(
            create(FindingSchema, {
              id: `f${i}`,
              severity: Severity.HIGH,
              kind: 3,
              status: 1,
              resource: {
                provider: "aws",
                type: "aws_instance",
                id: `i-${i}`,
                account: "111",
                region: "us-east-1",
                address: `aws_instance.n${i}`,
              },
            }),
          );
        }
        return {
          findings,
          totalSize: BigInt(total),
          nextPageToken: end < total ? String(end) : "",
          facets: req.facets.length
            ? [
                { field: "provider", values: [{ value: "aws", count: BigInt(total) }] },
                { field: "severity", values: [{ value: "SEVERITY_HIGH", count: BigInt(total) }] },
              ]
            : [],
        };
      },
    });
  });
  return { clients, requests };
}

describe("Inventory", () => {
  let undo: () => void;
  beforeAll(() => {
    undo = withLayout();
  });
  afterAll(() => undo());

  it("asks the server with the URL's filters and sort, and shows rows and facets", async () => {
    const { clients, requests } = fakeServer(30);
    renderApp(<Inventory />, { clients, route: "/inventory?severity=high&provider=aws&sort=-last_seen", path: "/inventory" });
    expect(await screen.findByRole("link", { name: "aws_instance.n0" })).toBeInTheDocument();
    expect(screen.getByText("30 findings")).toBeInTheDocument();
    const r = requests[0]!;
    expect(r.orderBy).toBe("last_seen desc");
    expect(r.filter?.severity).toEqual([Severity.HIGH]);
    expect(r.filter?.provider).toEqual(["aws"]);
    expect(r.facets).toEqual(["provider", "account", "region", "type", "kind", "severity", "status"]);
    expect(r.pageSize).toBe(100);
    const aside = screen.getByRole("complementary", { name: "Filters" });
    expect(within(aside).getByRole("checkbox", { name: "High" })).toBeChecked();
  });

  it("writes filter and sort changes to the URL", async () => {
    const user = userEvent.setup();
    const { clients, requests } = fakeServer(5);
    const { router } = renderApp(<Inventory />, { clients, route: "/inventory", path: "/inventory" });
    await screen.findByRole("link", { name: "aws_instance.n0" });
    const aside = screen.getByRole("complementary", { name: "Filters" });
    await user.click(within(aside).getByRole("checkbox", { name: "aws" }));
    expect(router.state.location.search).toBe("?provider=aws");
    await user.click(screen.getByRole("button", { name: /Type/ }));
    expect(router.state.location.search).toBe("?provider=aws&sort=type");
    await waitFor(() => expect(requests.at(-1)?.orderBy).toBe("type"));
    expect(requests.at(-1)?.filter?.provider).toEqual(["aws"]);
  });

  it("loads further pages with the page token, without facets", async () => {
    const { clients, requests } = fakeServer(150);
    renderApp(<Inventory />, { clients, route: "/inventory", path: "/inventory", preloaded: { settings: { pageSize: 50 } } });
    await screen.findByRole("link", { name: "aws_instance.n0" });
    await waitFor(() => expect(requests.length).toBeGreaterThanOrEqual(2));
    expect(requests[1]!.pageToken).toBe("50");
    expect(requests[1]!.facets).toEqual([]);
  });

  it("says when nothing matches", async () => {
    const { clients } = fakeServer(0);
    renderApp(<Inventory />, { clients, route: "/inventory?severity=critical", path: "/inventory" });
    expect(await screen.findByText("No findings match these filters")).toBeInTheDocument();
  });
});
