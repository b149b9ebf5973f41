import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "react-redux";
import { setupListeners } from "@reduxjs/toolkit/query";
import { RouterProvider } from "react-router";
import "./index.css";
import { makeStore, persist, persistedState, type AppStore } from "./app/store";
import { makeRouter } from "./app/router";
import { ClientsContext } from "./app/clients";
import { browserTransport, makeClients } from "./api/transport";
import { authorizationHeader, csrfToken } from "./features/auth/authSlice";
import { useApplyTheme } from "./features/theme/ThemeToggle";
import { Toaster } from "./components/ui/toast";

// The transport reads the credential from the store at each call, so
// signing in or out needs no new clients.
let store: AppStore | null = null;
const credential = () => store?.getState().auth.credential ?? null;
const clients = makeClients(
  browserTransport({
    authorization: () => authorizationHeader(credential()),
    csrfToken: () => csrfToken(credential()),
  }),
);
store = makeStore(clients, persistedState());
persist(store);
setupListeners(store.dispatch);
const router = makeRouter();

function Theme() {
  useApplyTheme();
  return null;
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Provider store={store}>
      <ClientsContext.Provider value={clients}>
        <Theme />
        <RouterProvider router={router} />
        <Toaster />
      </ClientsContext.Provider>
    </Provider>
  </StrictMode>,
);

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {
      // No offline shell then; the console works the same online.
    });
  });
}
