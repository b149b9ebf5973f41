import { useGetHealthQuery, useListAgentsQuery, useListMembersQuery } from "@/api/api";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ago, count } from "@/lib/format";

function errText(e: unknown): string {
  return (e as { message?: string } | undefined)?.message ?? "Unknown error";
}

function Stat({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="font-mono text-sm">{value}</dd>
    </div>
  );
}

/** ClusterHealth shows the controllers (members, leader, raft) and the agents. */
export default function ClusterHealth() {
  const health = useGetHealthQuery(undefined, { pollingInterval: 10_000 });
  const members = useListMembersQuery(undefined, { pollingInterval: 15_000 });
  const agents = useListAgentsQuery();
  const h = health.data;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">Agents and cluster health</h1>
      <Card>
        <CardHeader>
          <CardTitle>This controller</CardTitle>
        </CardHeader>
        <CardContent>
          {health.isLoading ? (
            <Loading label="Loading health" rows={2} />
          ) : health.isError || !h ? (
            <ErrorState title="Health could not be read" message={errText(health.error)} onRetry={() => void health.refetch()} />
          ) : (
            <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
              <Stat label="Node" value={h.node} />
              <Stat label="Raft state" value={<Badge variant={h.raftState === "Leader" ? "default" : "outline"}>{h.raftState}</Badge>} />
              <Stat label="Leader" value={h.leader || "none"} />
              <Stat label="Ready" value={<Badge variant={h.ready ? "success" : "critical"}>{h.ready ? "Ready" : "Not ready"}</Badge>} />
              <Stat label="Term" value={h.term} />
              <Stat label="Applied index" value={h.appliedIndex} />
              <Stat label="Commit index" value={h.commitIndex} />
              <Stat label="Last log index" value={h.lastLogIndex} />
              <Stat label="Agents connected" value={h.agentsConnected} />
            </dl>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Members</CardTitle>
        </CardHeader>
        <CardContent>
          {members.isLoading ? (
            <Loading label="Loading members" rows={3} />
          ) : members.isError ? (
            <ErrorState title="Members could not be listed" message={errText(members.error)} onRetry={() => void members.refetch()} />
          ) : (members.data?.members ?? []).length === 0 ? (
            <EmptyState title="No members known" />
          ) : (
            <Table aria-label="Cluster members">
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Role</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>Voter</TableHead>
                  <TableHead>Raft address</TableHead>
                  <TableHead>API address</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {members.data!.members.map((m) => (
                  <TableRow key={m.name}>
                    <TableCell className="font-medium">{m.name}</TableCell>
                    <TableCell>{m.leader ? <Badge>Leader</Badge> : <Badge variant="outline">Follower</Badge>}</TableCell>
                    <TableCell>
                      <Badge variant={m.status === "alive" ? "success" : m.status === "suspect" ? "medium" : "critical"}>{m.status}</Badge>
                    </TableCell>
                    <TableCell>{m.voter ? "yes" : "no"}</TableCell>
                    <TableCell className="font-mono text-xs">{m.raftAddress}</TableCell>
                    <TableCell className="font-mono text-xs">{m.apiAddress}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Agents</CardTitle>
        </CardHeader>
        <CardContent>
          {agents.isLoading ? (
            <Loading label="Loading agents" rows={3} />
          ) : agents.isError ? (
            <ErrorState title="Agents could not be listed" message={errText(agents.error)} onRetry={() => void agents.refetch()} />
          ) : (agents.data ?? []).length === 0 ? (
            <EmptyState title="No agents enrolled">
              Create a join token with <code>driftmgr ctl tokens create</code>.
            </EmptyState>
          ) : (
            <Table aria-label="Agents">
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>State</TableHead>
                  <TableHead>Version</TableHead>
                  <TableHead>Last seen</TableHead>
                  <TableHead>Acked seq</TableHead>
                  <TableHead>Outbox depth</TableHead>
                  <TableHead>Boot epoch</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {agents.data!.map((a) => (
                  <TableRow key={a.id}>
                    <TableCell>
                      <div className="font-medium">{a.name || a.id}</div>
                      <div className="font-mono text-xs text-muted-foreground">{a.hostname || a.id}</div>
                    </TableCell>
                    <TableCell>
                      {a.revoked ? (
                        <Badge variant="critical">Revoked</Badge>
                      ) : (
                        <Badge variant={a.connected ? "success" : "muted"}>{a.connected ? "Connected" : "Disconnected"}</Badge>
                      )}
                    </TableCell>
                    <TableCell className="font-mono text-xs">{a.version || "—"}</TableCell>
                    <TableCell className="text-xs">{ago(a.lastSeen)}</TableCell>
                    <TableCell className="font-mono text-xs">{a.ackedSeq}</TableCell>
                    <TableCell className="tabular-nums">{count(a.outboxDepth)}</TableCell>
                    <TableCell className="font-mono text-xs">{a.bootEpoch}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
