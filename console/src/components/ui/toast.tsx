import * as React from "react";
import * as ToastPrimitive from "@radix-ui/react-toast";
import { cn } from "@/lib/utils";

export interface ToastMessage {
  id: number;
  title: string;
  description?: string;
  variant?: "default" | "error";
}

type Listener = (t: ToastMessage) => void;
const listeners = new Set<Listener>();
let nextId = 1;

/** toast shows a short message in the corner; callable from anywhere. */
export function toast(t: Omit<ToastMessage, "id">): void {
  const msg = { ...t, id: nextId++ };
  listeners.forEach((l) => l(msg));
}

/** Toaster renders the toasts; mount it once near the root. */
export function Toaster() {
  const [items, setItems] = React.useState<ToastMessage[]>([]);
  React.useEffect(() => {
    const l: Listener = (t) => setItems((xs) => [...xs.slice(-3), t]);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return (
    <ToastPrimitive.Provider swipeDirection="right" duration={5000}>
      {items.map((t) => (
        <ToastPrimitive.Root
          key={t.id}
          onOpenChange={(open) => {
            if (!open) setItems((xs) => xs.filter((x) => x.id !== t.id));
          }}
          className={cn(
            "grid gap-1 rounded-md border border-border bg-card p-3 pr-8 shadow-lg",
            t.variant === "error" && "border-destructive",
          )}
        >
          <ToastPrimitive.Title className="text-sm font-semibold">{t.title}</ToastPrimitive.Title>
          {t.description && (
            <ToastPrimitive.Description className="text-xs text-muted-foreground">{t.description}</ToastPrimitive.Description>
          )}
          <ToastPrimitive.Close aria-label="Dismiss" className="absolute right-2 top-2 text-muted-foreground">
            ×
          </ToastPrimitive.Close>
        </ToastPrimitive.Root>
      ))}
      <ToastPrimitive.Viewport className="fixed bottom-0 right-0 z-[100] flex w-[min(24rem,100vw)] flex-col gap-2 p-4 outline-none" />
    </ToastPrimitive.Provider>
  );
}
