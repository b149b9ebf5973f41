import { describe, expect, it } from "vitest";
import reducer, { loadPresets, presetDeleted, presetSaved, PRESETS_STORAGE_KEY } from "./presetsSlice";
import { makeStore, persist, persistedState } from "@/app/store";
import { mockClients } from "@/test/render";

describe("presets", () => {
  it("saves, replaces by name, sorts and deletes", () => {
    let s = reducer(undefined, presetSaved({ name: "Prod criticals", query: "?severity=critical&account=prod" }));
    s = reducer(s, presetSaved({ name: "  AWS  ", query: "provider=aws" }));
    s = reducer(s, presetSaved({ name: "Prod criticals", query: "severity=critical" }));
    expect(s.items).toEqual([
      { name: "AWS", query: "provider=aws" },
      { name: "Prod criticals", query: "severity=critical" },
    ]);
    s = reducer(s, presetDeleted("AWS"));
    expect(s.items.map((p) => p.name)).toEqual(["Prod criticals"]);
  });

  it("ignores a preset without a name", () => {
    expect(reducer(undefined, presetSaved({ name: "  ", query: "a=b" })).items).toEqual([]);
  });

  it("survives a reload through localStorage", () => {
    const store = makeStore(mockClients(), persistedState());
    persist(store);
    store.dispatch(presetSaved({ name: "Mine", query: "provider=aws" }));
    expect(JSON.parse(localStorage.getItem(PRESETS_STORAGE_KEY)!)).toEqual([{ name: "Mine", query: "provider=aws" }]);
    const again = makeStore(mockClients(), persistedState());
    expect(again.getState().presets.items).toEqual([{ name: "Mine", query: "provider=aws" }]);
  });

  it("reads past damaged storage", () => {
    localStorage.setItem(PRESETS_STORAGE_KEY, "{not json");
    expect(loadPresets()).toEqual([]);
    localStorage.setItem(PRESETS_STORAGE_KEY, JSON.stringify([{ name: "ok", query: "" }, { name: 3 }, null]));
    expect(loadPresets()).toEqual([{ name: "ok", query: "" }]);
  });
});
