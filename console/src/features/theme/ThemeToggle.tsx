import { useEffect, useState } from "react";
import { useAppDispatch, useAppSelector } from "@/app/hooks";
import { Button } from "@/components/ui/button";
import { resolveTheme, themeSet, type ThemeMode } from "./themeSlice";

function useSystemDark(): boolean {
  const [dark, setDark] = useState(() => window.matchMedia("(prefers-color-scheme: dark)").matches);
  useEffect(() => {
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    const on = (e: MediaQueryListEvent) => setDark(e.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  return dark;
}

/** useApplyTheme keeps <html class="dark"> in step with the setting and the system. */
export function useApplyTheme(): "light" | "dark" {
  const mode = useAppSelector((s) => s.theme.mode);
  const theme = resolveTheme(mode, useSystemDark());
  useEffect(() => {
    document.documentElement.classList.toggle("dark", theme === "dark");
  }, [theme]);
  return theme;
}

const next: Record<ThemeMode, ThemeMode> = { system: "light", light: "dark", dark: "system" };
const label: Record<ThemeMode, string> = { system: "System theme", light: "Light theme", dark: "Dark theme" };

/** ThemeToggle cycles system → light → dark; the choice is kept across visits. */
export function ThemeToggle() {
  const mode = useAppSelector((s) => s.theme.mode);
  const dispatch = useAppDispatch();
  return (
    <Button
      variant="ghost"
      size="icon"
      aria-label={`${label[mode]} (switch to ${label[next[mode]].toLowerCase()})`}
      title={label[mode]}
      onClick={() => dispatch(themeSet(next[mode]))}
    >
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
        {mode === "light" && (
          <>
            <circle cx="12" cy="12" r="4" />
            <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
          </>
        )}
        {mode === "dark" && <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />}
        {mode === "system" && (
          <>
            <rect x="3" y="4" width="18" height="12" rx="2" />
            <path d="M8 20h8M12 16v4" />
          </>
        )}
      </svg>
    </Button>
  );
}
