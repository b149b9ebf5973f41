// SecurityService's endpoints, injected into the one API slice when the
// Security screen loads, so the first paint does not carry them. Tags:
// findings are "SecurityFinding" (LIST and one per id), the posture is
// "Compliance", the mutelist "Mutelist" and policies "Policy". A mutelist
// change re-mutes stored failures as they are read, so it refreshes
// findings and posture too; the live stream (features/live/watch.ts)
// invalidates them when scans complete.
import { create } from "@bufbuild/protobuf";
import { Consistency, type Severity } from "@/gen/driftmgr/v1/common_pb";
import { SecurityFindingFilterSchema, type SecurityFindingFilter, type SecurityStatus } from "@/gen/driftmgr/v1/security_pb";
import { api, call } from "./api";
import { toFacet } from "./model";
import {
  toCompliance,
  toMutelist,
  toPolicy,
  toSecurityFinding,
  type ComplianceView,
  type MutelistView,
  type PolicyView,
  type SecurityFindingView,
  type SecurityFindingsPage,
} from "./securityModel";

/** SecurityFilterArgs is a SecurityFindingFilter in plain, serializable form (an RTK Query cache key). */
export interface SecurityFilterArgs {
  provider?: string[];
  account?: string[];
  region?: string[];
  type?: string[];
  checkId?: string[];
  severity?: Severity[];
  status?: SecurityStatus[];
  agentId?: string[];
  framework?: string[];
  category?: string[];
  text?: string;
}

export interface SecurityFindingsQuery {
  filter: SecurityFilterArgs;
  orderBy: string;
  pageSize: number;
  /** Facet fields counted on the first page. */
  facets: string[];
}

function protoFilter(f: SecurityFilterArgs): SecurityFindingFilter {
  return create(SecurityFindingFilterSchema, {
    provider: f.provider ?? [],
    account: f.account ?? [],
    region: f.region ?? [],
    type: f.type ?? [],
    checkId: f.checkId ?? [],
    severity: f.severity ?? [],
    status: f.status ?? [],
    agentId: f.agentId ?? [],
    framework: f.framework ?? [],
    category: f.category ?? [],
    text: f.text ?? "",
  });
}

export const securityApi = api.injectEndpoints({
  endpoints: (build) => ({
    listSecurityFindings: build.infiniteQuery<SecurityFindingsPage, SecurityFindingsQuery, string>({
      // Pages are appended, never edited (as listFindings).
      structuralSharing: false,
      infiniteQueryOptions: {
        initialPageParam: "",
        getNextPageParam: (last) => last.nextPageToken || undefined,
      },
      queryFn: ({ queryArg, pageParam }, api) =>
        call(api, async (c) => {
          const r = await c.security.listSecurityFindings({
            filter: protoFilter(queryArg.filter),
            pageSize: queryArg.pageSize,
            pageToken: pageParam,
            orderBy: queryArg.orderBy,
            // Facets describe the whole result: the first page carries them.
            facets: pageParam === "" ? queryArg.facets : [],
          });
          return {
            findings: r.findings.map(toSecurityFinding),
            nextPageToken: r.nextPageToken,
            totalSize: Number(r.totalSize),
            facets: r.facets.map(toFacet),
            revision: r.revision.toString(),
          };
        }),
      providesTags: [{ type: "SecurityFinding", id: "LIST" }],
    }),
    getSecurityFinding: build.query<SecurityFindingView, string>({
      queryFn: (id, api) =>
        call(api, async (c) => {
          const r = await c.security.getSecurityFinding({ id });
          if (!r.finding) throw new Error("security finding " + id + " not in the answer");
          return toSecurityFinding(r.finding);
        }),
      providesTags: (_r, _e, id) => [{ type: "SecurityFinding", id }],
    }),
    /** getCompliance is the posture of every framework, or of one when framework is set. */
    getCompliance: build.query<ComplianceView, { framework?: string } | void>({
      queryFn: (arg, api) =>
        call(api, async (c) =>
          toCompliance(await c.security.getCompliance({ framework: arg?.framework ?? "", consistency: Consistency.STALE })),
        ),
      providesTags: [{ type: "Compliance", id: "ALL" }],
    }),
    getMutelist: build.query<MutelistView, void>({
      queryFn: (_arg, api) => call(api, async (c) => toMutelist(await c.security.getMutelist({}))),
      providesTags: [{ type: "Mutelist", id: "TENANT" }],
    }),
    /** putMutelist replaces the mutelist; the answer is how many entries it holds. */
    putMutelist: build.mutation<number, string>({
      queryFn: (yaml, api) => call(api, async (c) => (await c.security.putMutelist({ yaml })).entries),
      invalidatesTags: (_r, err) =>
        err
          ? []
          : [
              { type: "Mutelist", id: "TENANT" },
              // Every finding's MUTED/FAIL verdict may change, and the scores with it.
              "SecurityFinding",
              "Compliance",
            ],
    }),
    listPolicies: build.query<{ policies: PolicyView[]; revision: string }, void>({
      queryFn: (_arg, api) =>
        call(api, async (c) => {
          const r = await c.security.listPolicies({});
          return { policies: r.policies.map(toPolicy), revision: r.revision.toString() };
        }),
      providesTags: [{ type: "Policy", id: "LIST" }],
    }),
  }),
});

export const {
  useListSecurityFindingsInfiniteQuery,
  useGetSecurityFindingQuery,
  useGetComplianceQuery,
  useGetMutelistQuery,
  usePutMutelistMutation,
  useListPoliciesQuery,
} = securityApi;
