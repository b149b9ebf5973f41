import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

/** Preset is a named inventory view: the URL query string of its filters and sort. */
export interface Preset {
  name: string;
  query: string;
}

export const PRESETS_STORAGE_KEY = "driftmgr.presets";

export function loadPresets(storage: Storage = localStorage): Preset[] {
  try {
    const v = JSON.parse(storage.getItem(PRESETS_STORAGE_KEY) ?? "[]") as unknown;
    if (Array.isArray(v)) {
      return v.filter((p): p is Preset => typeof p === "object" && p !== null && typeof p.name === "string" && typeof p.query === "string");
    }
  } catch {
    // ignore a damaged entry
  }
  return [];
}

const presetsSlice = createSlice({
  name: "presets",
  initialState: { items: [] as Preset[] },
  reducers: {
    /** presetSaved adds a preset, replacing one of the same name. */
    presetSaved(state, action: PayloadAction<Preset>) {
      const name = action.payload.name.trim();
      if (!name) return;
      const p = { name, query: action.payload.query.replace(/^\?/, "") };
      const i = state.items.findIndex((x) => x.name === name);
      if (i >= 0) state.items[i] = p;
      else state.items.push(p);
      state.items.sort((a, b) => a.name.localeCompare(b.name));
    },
    presetDeleted(state, action: PayloadAction<string>) {
      state.items = state.items.filter((p) => p.name !== action.payload);
    },
  },
});

export const { presetSaved, presetDeleted } = presetsSlice.actions;
export default presetsSlice.reducer;
