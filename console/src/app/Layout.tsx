import { useEffect, useState } from "react";
import { NavLink, Navigate, Outlet, useLocation } from "react-router";
import { useAppDispatch, useAppSelector } from "./hooks";
import { useClients } from "./clients";
import { startWatch } from "@/features/live/watch";
import { LiveIndicator } from "@/features/live/OfflineIndicator";
import { ThemeToggle } from "@/features/theme/ThemeToggle";
import { signedOut } from "@/features/auth/authSlice";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import { count } from "@/lib/format";

const nav = [
  { to: "/", label: "Overview", end: true },
  { to: "/inventory", label: "Drift inventory", end: false },
  { to: "/security", label: "Security", end: false },
  { to: "/graph", label: "Resource graph", end: false },
  { to: "/cluster", label: "Agents & cluster", end: false },
  { to: "/settings", label: "Settings", end: false },
];

/** Live starts the event stream while the user is signed in. */
function Live() {
  const clients = useClients();
  const dispatch = useAppDispatch();
  useEffect(() => startWatch(clients, dispatch), [clients, dispatch]);
  return null;
}

/** Layout is the signed-in shell: navigation, live status, theme, and the screen. */
export function Layout() {
  const signedIn = useAppSelector((s) => s.auth.credential !== null);
  const dispatch = useAppDispatch();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const open = useAppSelector((s) => s.live.counts?.open);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  if (!signedIn) {
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
      <Live />
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
          <Button variant="outline" size="sm" onClick={() => dispatch(signedOut())}>
            Sign out
          </Button>
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
          <ul className="flex flex-col gap-1">
            {nav.map((n) => (
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
        </nav>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 outline-none md:p-6">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
