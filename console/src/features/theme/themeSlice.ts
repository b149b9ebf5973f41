import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

export type ThemeMode = "system" | "light" | "dark";
export const THEME_STORAGE_KEY = "driftmgr.theme";

export function loadTheme(storage: Storage = localStorage): ThemeMode {
  const v = storage.getItem(THEME_STORAGE_KEY);
  return v === "light" || v === "dark" ? v : "system";
}

/** resolveTheme is the theme in effect: the system's when the mode is "system". */
export function resolveTheme(mode: ThemeMode, systemDark: boolean): "light" | "dark" {
  if (mode === "system") return systemDark ? "dark" : "light";
  return mode;
}

const themeSlice = createSlice({
  name: "theme",
  initialState: { mode: "system" as ThemeMode },
  reducers: {
    themeSet(state, action: PayloadAction<ThemeMode>) {
      state.mode = action.payload;
    },
  },
});

export const { themeSet } = themeSlice.actions;
export default themeSlice.reducer;
