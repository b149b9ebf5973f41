import { combineReducers, configureStore } from "@reduxjs/toolkit";
import { api, type ThunkExtra } from "@/api/api";
import auth, { loadAuth, saveAuth } from "@/features/auth/authSlice";
import theme, { loadTheme, THEME_STORAGE_KEY } from "@/features/theme/themeSlice";
import settings, { loadSettings, SETTINGS_STORAGE_KEY } from "@/features/settings/settingsSlice";
import presets, { loadPresets, PRESETS_STORAGE_KEY } from "@/features/drift/presetsSlice";
import live from "@/features/live/liveSlice";
import type { Clients } from "@/api/transport";

const rootReducer = combineReducers({
  auth,
  theme,
  settings,
  presets,
  live,
  [api.reducerPath]: api.reducer,
});

export type RootState = ReturnType<typeof rootReducer>;

/** makeStore builds the store over the given API clients (tests pass a mocked transport's). */
export function makeStore(clients: Clients, preloaded?: Partial<RootState>) {
  const extra: ThunkExtra = { clients };
  const store = configureStore({
    reducer: rootReducer,
    preloadedState: preloaded,
    middleware: (gdm) => gdm({ thunk: { extraArgument: extra } }).concat(api.middleware),
  });
  return store;
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore["dispatch"];

/** persistedState reads what the browser kept from earlier visits. */
export function persistedState(): Partial<RootState> {
  return {
    auth: loadAuth(),
    theme: { mode: loadTheme() },
    settings: loadSettings(),
    presets: { items: loadPresets() },
  };
}

/** persist writes the settings back whenever they change. */
export function persist(store: AppStore): () => void {
  let prev = store.getState();
  return store.subscribe(() => {
    const s = store.getState();
    if (s.auth !== prev.auth) saveAuth(s.auth);
    if (s.theme !== prev.theme) localStorage.setItem(THEME_STORAGE_KEY, s.theme.mode);
    if (s.settings !== prev.settings) localStorage.setItem(SETTINGS_STORAGE_KEY, JSON.stringify(s.settings));
    if (s.presets !== prev.presets) localStorage.setItem(PRESETS_STORAGE_KEY, JSON.stringify(s.presets.items));
    prev = s;
  });
}
