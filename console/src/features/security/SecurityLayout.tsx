import { NavLink, Outlet, useLocation } from "react-router";
import { cn } from "@/lib/utils";

const sections = [
  { to: "/security", label: "Findings", end: true },
  { to: "/security/compliance", label: "Compliance", end: false },
  { to: "/security/mutelist", label: "Mutelist", end: false },
  { to: "/security/policies", label: "Policies", end: false },
];

/** SecurityLayout holds the Security screen's sections: findings (with the posture), compliance, mutelist, policies. */
export default function SecurityLayout() {
  const { pathname } = useLocation();
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Security sections">
        <ul className="inline-flex h-9 items-center gap-1 rounded-lg bg-muted p-1 text-sm">
          {sections.map((s) => (
            <li key={s.to}>
              <NavLink
                to={s.to}
                end={s.end}
                className={({ isActive }) =>
                  cn(
                    "inline-flex rounded-md px-3 py-1 font-medium text-muted-foreground hover:text-foreground",
                    // A finding's page belongs to Findings.
                    (isActive || (s.to === "/security" && pathname.startsWith("/security/findings/"))) &&
                      "bg-background text-foreground shadow",
                  )
                }
              >
                {s.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
