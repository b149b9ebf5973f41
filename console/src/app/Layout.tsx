import { useEffect, useState } from "react";
import { NavLink, Navigate, Outlet, useLocation } from "react-router";
import { useAppDispatch, useAppSelector } from "./hooks";
import { useClients } from "./clients";
import { startWatch } from "@/features/live/watch";
import { LiveIndicator } from "@/features/live/OfflineIndicator";
import { ThemeToggle } from "@/features/theme/ThemeToggle";
import { expiredNotice, probeSession, refusedNotice, signedOut, type Credential } from "@/features/auth/authSlice";
import { Actions, useCan } from "@/features/auth/permissions";
import { UserMenu } from "@/features/auth/UserMenu";
import { Button } from "@/components/ui/button";
import { Loading } from "@/components/ui/skeleton";
import { cn } from "@/lib/utils";
import { count } from "@/lib/format";

interface NavItem {
  to: string;
  label: string;
  end: boolean;
}

const nav: NavItem[] = [
  { to: "/", label: "Overview", end: true },
  { to: "/inventory", label: "Drift inventory", end: false },
  { to: "/security", label: "Security", end: false },
  { to: "/graph", label: "Resource graph", end: false },
  { to: "/cluster", label: "Agents & cluster", end: false },
  { to: "/settings", label: "Settings", end: false },
];

/** Live starts the event stream while the user is signed in. */
function Live({ kind }: { kind: Credential["kind"] }) {
  const clients = useClients();
  const dispatch = useAppDispatch();
  useEffect(() => startWatch(clients, dispatch, { refusedNotice: refusedNotice(kind) }), [clients, dispatch, kind]);
  return null;
}

// setTimeout holds at most this many milliseconds (about 24.8 days).
const maxTimeout = 2 ** 31 - 1;

/** SessionExpiry returns to sign-in when the browser session's time is up, rather than at the next refused call. */
function SessionExpiry({ expiresAt }: { expiresAt: string }) {
  const dispatch = useAppDispatch();
  useEffect(() => {
    const ms = Date.parse(expiresAt) - Date.now();
    if (Number.isNaN(ms) || ms > maxTimeout) return;
    const t = setTimeout(() => dispatch(signedOut(expiredNotice)), Math.max(0, ms));
    return () => clearTimeout(t);
  }, [expiresAt, dispatch]);
  return null;
}

function NavLinks({ items }: { items: NavItem[] }) {
  const open = useAppSelector((s) => s.live.counts?.open);
  return (
    <ul className="flex flex-col gap-1">
      {items.map((n) => (
        <li key={n.to}>
          <NavLink
            to={n.to}
            end={n.end}
            className={({ isActive }) =>
              cn("block rounded-md px-3 py-2 text-sm hover:bg-muted", isActive && "bg-accent font-semibold text-primary")
            }
          >
            <span className="flex items-center justify-between gap-2">
              {n.label}
              {n.to === "/inventory" && open !== undefined && (
                <span className="rounded-full bg-muted px-1.5 text-xs tabular-nums text-muted-foreground" aria-label={`${open} open`}>
                  {count(open)}
                </span>
              )}
            </span>
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

/** AdminNav lists the admin screens the caller's role may open. */
function AdminNav() {
  const users = useCan(Actions.usersRead);
  const audit = useCan(Actions.auditRead);
  const items: NavItem[] = [];
  if (users) items.push({ to: "/admin/users", label: "Users & keys", end: false });
  if (audit) items.push({ to: "/admin/audit", label: "Audit log", end: false });
  if (items.length === 0) return null;
  return (
    <div className="mt-4">
      <h2 id="admin-nav" className="mb-1 px-3 text-xs font-semibold uppercase tracking-wide text-muted-foreground">
        Admin
      </h2>
      <div role="group" aria-labelledby="admin-nav">
        <NavLinks items={items} />
      </div>
    </div>
  );
}

/** Layout is the signed-in shell: navigation, live status, theme, and the screen. */
export function Layout() {
  const credential = useAppSelector((s) => s.auth.credential);
  const probe = useAppSelector((s) => s.auth.probe);
  const dispatch = useAppDispatch();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  // A browser session lives in its cookie: without a credential (a new
  // tab, back from single sign-on) ask the controller; with a session kept
  // from before a reload, check it is still live (shown meanwhile, so the
  // console opens offline). A key needs no asking.
  const kind = credential?.kind;
  useEffect(() => {
    if (kind !== "apiKey" && probe === "idle") void dispatch(probeSession());
  }, [kind, probe, dispatch]);
  if (!credential) {
    if (probe === "idle" || probe === "checking") {
      return <Loading label="Checking your sign-in" rows={4} className="p-6" />;
    }
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  return (
    <div className="theme-transition flex min-h-screen flex-col bg-background text-foreground">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-primary focus:px-3 focus:py-2 focus:text-primary-foreground"
      >
        Skip to content
      </a>
      <Live kind={credential.kind} />
      {credential.kind === "session" && <SessionExpiry expiresAt={credential.expiresAt} />}
      <header className="theme-transition sticky top-0 z-20 flex h-14 items-center gap-3 border-b border-border bg-background/95 px-3 backdrop-blur">
        <Button
          variant="ghost"
          size="icon"
          className="md:hidden"
          aria-label="Menu"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" stroke="currentColor" strokeWidth="2">
            <path d="M4 6h16M4 12h16M4 18h16" />
          </svg>
        </Button>
        <NavLink to="/" className="flex items-center gap-2 font-semibold">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          DriftMgr
        </NavLink>
        <div className="ml-auto flex items-center gap-2">
          <LiveIndicator />
          <ThemeToggle />
          <UserMenu />
        </div>
      </header>
      <div className="flex min-h-0 flex-1">
        <nav
          id="main-nav"
          aria-label="Main"
          className={cn(
            "theme-transition w-56 shrink-0 border-r border-border bg-background p-3",
            menuOpen ? "fixed inset-y-14 left-0 z-30 block" : "hidden md:block",
          )}
        >
          <NavLinks items={nav} />
          <AdminNav />
        </nav>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 outline-none md:p-6">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
