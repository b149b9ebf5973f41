import { createBrowserRouter, type RouteObject } from "react-router";
import { Layout } from "./Layout";
import { SignIn } from "@/features/auth/SignIn";
import { RouteError } from "./RouteError";
import { Loading } from "@/components/ui/skeleton";

// Screens load on demand: the first paint carries only the shell, and
// Recharts and D3 come with the screens that draw charts and graphs.
export const routes: RouteObject[] = [
  { path: "/sign-in", element: <SignIn /> },
  {
    path: "/",
    element: <Layout />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading label="Loading the console" rows={4} className="p-6" />,
    children: [
      { index: true, lazy: () => import("@/features/overview/Overview").then((m) => ({ Component: m.default })) },
      { path: "inventory", lazy: () => import("@/features/drift/Inventory").then((m) => ({ Component: m.default })) },
      { path: "findings/:id", lazy: () => import("@/features/drift/ResourceDetail").then((m) => ({ Component: m.default })) },
      {
        path: "security",
        lazy: () => import("@/features/security/SecurityLayout").then((m) => ({ Component: m.default })),
        children: [
          { index: true, lazy: () => import("@/features/security/SecurityFindings").then((m) => ({ Component: m.default })) },
          {
            path: "findings/:id",
            lazy: () => import("@/features/security/SecurityFindingDetail").then((m) => ({ Component: m.default })),
          },
          { path: "compliance", lazy: () => import("@/features/security/Compliance").then((m) => ({ Component: m.default })) },
          { path: "mutelist", lazy: () => import("@/features/security/Mutelist").then((m) => ({ Component: m.default })) },
          { path: "policies", lazy: () => import("@/features/security/Policies").then((m) => ({ Component: m.default })) },
        ],
      },
      { path: "graph", lazy: () => import("@/features/graph/Graph").then((m) => ({ Component: m.default })) },
      { path: "cluster", lazy: () => import("@/features/cluster/ClusterHealth").then((m) => ({ Component: m.default })) },
      { path: "settings", lazy: () => import("@/features/settings/Settings").then((m) => ({ Component: m.default })) },
      // Admin screens: each checks the caller's role (WhoAmI) before it shows.
      { path: "admin/users", lazy: () => import("@/features/admin/UsersAndKeys").then((m) => ({ Component: m.default })) },
      { path: "admin/audit", lazy: () => import("@/features/admin/AuditLog").then((m) => ({ Component: m.default })) },
      { path: "*", element: <RouteError notFound /> },
    ],
  },
];

export function makeRouter() {
  return createBrowserRouter(routes);
}
