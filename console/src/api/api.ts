// The console's data layer: RTK Query endpoints over the generated
// Connect-ES clients. Components use the hooks exported at the bottom and
// never call the API themselves.
import { createApi, fakeBaseQuery, type BaseQueryApi } from "@reduxjs/toolkit/query/react";
import { create } from "@bufbuild/protobuf";
import { FindingFilterSchema, type FindingFilter } from "@/gen/driftmgr/v1/query_pb";
import { Consistency } from "@/gen/driftmgr/v1/common_pb";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { refusedNotice, signedOut, type AuthState } from "@/features/auth/authSlice";
import { toApiError, type ApiError, type Clients } from "./transport";
import {
  toAgent,
  toFacet,
  toFinding,
  toHealth,
  toMember,
  toScan,
  toWhoAmI,
  type AgentView,
  type FindingView,
  type FindingsPage,
  type HealthView,
  type MemberView,
  type ScanView,
  type WhoAmIView,
} from "./model";

/** ThunkExtra is what the store hands every endpoint: the API clients. */
export interface ThunkExtra {
  clients: Clients;
}

/** FilterArgs is a FindingFilter in plain, serializable form (an RTK Query cache key). */
export interface FilterArgs {
  provider?: string[];
  account?: string[];
  region?: string[];
  type?: string[];
  kind?: number[];
  severity?: number[];
  status?: number[];
  since?: string;
  until?: string;
  text?: string;
}

export interface FindingsQuery {
  filter: FilterArgs;
  orderBy: string;
  pageSize: number;
  /** Facet fields counted on the first page. */
  facets: string[];
}

export const allFacets = ["provider", "account", "region", "type", "kind", "severity", "status"];

function protoFilter(f: FilterArgs): FindingFilter {
  return create(FindingFilterSchema, {
    provider: f.provider ?? [],
    account: f.account ?? [],
    region: f.region ?? [],
    type: f.type ?? [],
    kind: f.kind ?? [],
    severity: f.severity ?? [],
    status: f.status ?? [],
    text: f.text ?? "",
    since: f.since ? timestampFromDate(new Date(f.since)) : undefined,
    until: f.until ? timestampFromDate(new Date(f.until)) : undefined,
  });
}

/** call runs one RPC, turning a failure into an ApiError; a 401 signs the user out. */
export async function call<T>(api: BaseQueryApi, fn: (c: Clients) => Promise<T>): Promise<{ data: T } | { error: ApiError }> {
  try {
    const { clients } = api.extra as ThunkExtra;
    return { data: await fn(clients) };
  } catch (e) {
    const err = toApiError(e);
    if (err.unauthenticated) {
      const kind = (api.getState() as { auth: AuthState }).auth.credential?.kind;
      api.dispatch(signedOut(refusedNotice(kind)));
    }
    return { error: err };
  }
}

export const api = createApi({
  reducerPath: "api",
  baseQuery: fakeBaseQuery<ApiError>(),
  // The security endpoints are injected by securityApi.ts with the
  // Security screen, the admin screens' by adminApi.ts; their tags are
  // declared here so the live stream can invalidate them without loading
  // that code.
  tagTypes: [
    "Finding",
    "Scan",
    "Agent",
    "Cluster",
    "SecurityFinding",
    "Compliance",
    "Mutelist",
    "Policy",
    "Me",
    "User",
    "ServiceAccount",
    "APIKey",
    "Role",
    "Audit",
  ],
  keepUnusedDataFor: 30,
  refetchOnReconnect: true,
  endpoints: (build) => ({
    listFindings: build.infiniteQuery<FindingsPage, FindingsQuery, string>({
      // Pages are appended, never edited: comparing every loaded row with
      // the new answer on each page costs O(rows) and shows as long tasks.
      structuralSharing: false,
      infiniteQueryOptions: {
        initialPageParam: "",
        getNextPageParam: (last) => last.nextPageToken || undefined,
      },
      queryFn: ({ queryArg, pageParam }, api) =>
        call(api, async (c) => {
          const r = await c.findings.listFindings({
            filter: protoFilter(queryArg.filter),
            pageSize: queryArg.pageSize,
            pageToken: pageParam,
            orderBy: queryArg.orderBy,
            // Facets describe the whole result: the first page carries them.
            facets: pageParam === "" ? queryArg.facets : [],
          });
          return {
            findings: r.findings.map(toFinding),
            nextPageToken: r.nextPageToken,
            totalSize: Number(r.totalSize),
            facets: r.facets.map(toFacet),
            revision: r.revision.toString(),
          };
        }),
      providesTags: [{ type: "Finding", id: "LIST" }],
    }),
    /** findingsSummary counts (page size 1) for the overview's KPIs and charts. */
    findingsSummary: build.query<FindingsPage, { filter: FilterArgs; facets: string[]; pageSize?: number }>({
      queryFn: (arg, api) =>
        call(api, async (c) => {
          const r = await c.findings.listFindings({
            filter: protoFilter(arg.filter),
            pageSize: arg.pageSize ?? 1,
            facets: arg.facets,
            consistency: Consistency.STALE,
          });
          return {
            findings: r.findings.map(toFinding),
            nextPageToken: r.nextPageToken,
            totalSize: Number(r.totalSize),
            facets: r.facets.map(toFacet),
            revision: r.revision.toString(),
          };
        }),
      providesTags: [{ type: "Finding", id: "LIST" }],
    }),
    getFinding: build.query<FindingView, string>({
      queryFn: (id, api) =>
        call(api, async (c) => {
          const r = await c.findings.getFinding({ id });
          if (!r.finding) throw new Error("finding " + id + " not in the answer");
          return toFinding(r.finding);
        }),
      providesTags: (_r, _e, id) => [{ type: "Finding", id }],
    }),
    acknowledgeFinding: build.mutation<FindingView, { id: string; note: string }>({
      queryFn: (arg, api) =>
        call(api, async (c) => {
          const r = await c.findings.acknowledgeFinding(arg);
          if (!r.finding) throw new Error("finding " + arg.id + " not in the answer");
          return toFinding(r.finding);
        }),
      invalidatesTags: (_r, _e, arg) => [
        { type: "Finding", id: arg.id },
        { type: "Finding", id: "LIST" },
      ],
    }),
    listScans: build.query<ScanView[], { pageSize: number }>({
      queryFn: (arg, api) =>
        call(api, async (c) => {
          const r = await c.findings.listScans({ pageSize: arg.pageSize, consistency: Consistency.STALE });
          return r.scans.map(toScan);
        }),
      providesTags: [{ type: "Scan", id: "LIST" }],
    }),
    listAgents: build.query<AgentView[], void>({
      queryFn: (_arg, api) => call(api, async (c) => (await c.agents.listAgents({ consistency: Consistency.STALE })).agents.map(toAgent)),
      providesTags: [{ type: "Agent", id: "LIST" }],
    }),
    listMembers: build.query<{ members: MemberView[]; leader: string }, void>({
      queryFn: (_arg, api) =>
        call(api, async (c) => {
          const r = await c.cluster.listMembers({});
          return { members: r.members.map(toMember), leader: r.leader };
        }),
      providesTags: [{ type: "Cluster", id: "MEMBERS" }],
    }),
    getHealth: build.query<HealthView, void>({
      queryFn: (_arg, api) => call(api, async (c) => toHealth(await c.cluster.getHealth({}))),
      providesTags: [{ type: "Cluster", id: "HEALTH" }],
    }),
    /** whoAmI is the caller as the controller sees it, whatever the credential: its role and actions decide what the console offers. */
    whoAmI: build.query<WhoAmIView, void>({
      queryFn: (_arg, api) => call(api, async (c) => toWhoAmI(await c.tenancy.whoAmI({}))),
      providesTags: [{ type: "Me", id: "ME" }],
      keepUnusedDataFor: 300,
    }),
  }),
});

export const {
  useListFindingsInfiniteQuery,
  useFindingsSummaryQuery,
  useGetFindingQuery,
  useAcknowledgeFindingMutation,
  useListScansQuery,
  useListAgentsQuery,
  useListMembersQuery,
  useGetHealthQuery,
  useWhoAmIQuery,
} = api;
