import { useCallback, useState } from "react";
import { useAppDispatch } from "@/app/hooks";
import { toast } from "@/components/ui/toast";
import { signOut } from "./authSlice";

/**
 * useSignOut signs out: a browser session is ended on the controller
 * first (a session the controller did not end stays signed in here, and
 * the reason shows); an API key is forgotten.
 */
export function useSignOut(): { signOut: () => void; busy: boolean } {
  const dispatch = useAppDispatch();
  const [busy, setBusy] = useState(false);
  const run = useCallback(() => {
    setBusy(true);
    void dispatch(signOut()).then((r) => {
      setBusy(false);
      if (signOut.rejected.match(r)) {
        toast({ title: "Sign-out failed: you are still signed in", description: r.payload ?? r.error.message, variant: "error" });
      }
    });
  }, [dispatch]);
  return { signOut: run, busy };
}
