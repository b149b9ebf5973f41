import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

export interface SettingsState {
  /** Findings per request of the inventory (the server allows 1..1000). */
  pageSize: number;
}

export const SETTINGS_STORAGE_KEY = "driftmgr.settings";
export const pageSizes = [50, 100, 200, 500];

export function loadSettings(storage: Storage = localStorage): SettingsState {
  try {
    const s = JSON.parse(storage.getItem(SETTINGS_STORAGE_KEY) ?? "{}") as Partial<SettingsState>;
    if (typeof s.pageSize === "number" && pageSizes.includes(s.pageSize)) return { pageSize: s.pageSize };
  } catch {
    // fall through to the defaults
  }
  return { pageSize: 100 };
}

const settingsSlice = createSlice({
  name: "settings",
  initialState: { pageSize: 100 } as SettingsState,
  reducers: {
    pageSizeSet(state, action: PayloadAction<number>) {
      if (pageSizes.includes(action.payload)) state.pageSize = action.payload;
    },
  },
});

export const { pageSizeSet } = settingsSlice.actions;
export default settingsSlice.reducer;
