import { createContext, useContext } from "react";
import type { Clients } from "@/api/transport";

export const ClientsContext = createContext<Clients | null>(null);

/** useClients gives the API clients to what RTK Query cannot hold: the live stream. */
export function useClients(): Clients {
  const c = useContext(ClientsContext);
  if (!c) throw new Error("useClients outside ClientsContext");
  return c;
}
