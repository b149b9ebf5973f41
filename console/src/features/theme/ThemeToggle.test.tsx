import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderApp } from "@/test/render";
import { persist } from "@/app/store";
import { ThemeToggle, useApplyTheme } from "./ThemeToggle";
import { loadTheme, resolveTheme, THEME_STORAGE_KEY } from "./themeSlice";

function Themed() {
  useApplyTheme();
  return <ThemeToggle />;
}

describe("theme", () => {
  it("follows the system unless the user chose", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("cycles system → light → dark and keeps the choice", async () => {
    const user = userEvent.setup();
    const { store } = renderApp(<Themed />);
    persist(store);
    const button = () => screen.getByRole("button", { name: /theme/ });
    expect(button()).toHaveAccessibleName("System theme (switch to light theme)");
    expect(document.documentElement).not.toHaveClass("dark");

    await user.click(button());
    expect(store.getState().theme.mode).toBe("light");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("light");
    expect(document.documentElement).not.toHaveClass("dark");

    await user.click(button());
    expect(button()).toHaveAccessibleName("Dark theme (switch to system theme)");
    expect(document.documentElement).toHaveClass("dark");
    expect(loadTheme()).toBe("dark");

    await user.click(button());
    expect(store.getState().theme.mode).toBe("system");
    expect(document.documentElement).not.toHaveClass("dark");
  });

  it("is reachable and operable from the keyboard", async () => {
    const user = userEvent.setup();
    const { store } = renderApp(<Themed />);
    await user.tab();
    expect(screen.getByRole("button", { name: /theme/ })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(store.getState().theme.mode).toBe("light");
  });
});
