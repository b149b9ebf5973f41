import { useAppSelector } from "@/app/hooks";
import { cn } from "@/lib/utils";

/** LiveIndicator shows whether the live stream is up; offline is announced. */
export function LiveIndicator() {
  const status = useAppSelector((s) => s.live.status);
  const text = status === "online" ? "Live" : status === "connecting" ? "Connecting…" : "Offline — reconnecting";
  return (
    <span
      role="status"
      aria-live="polite"
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs",
        status === "online" && "border-emerald-600/40 text-emerald-700 dark:text-emerald-400",
        status === "connecting" && "border-border text-muted-foreground",
        status === "offline" && "border-destructive/60 text-destructive",
      )}
    >
      <span
        aria-hidden="true"
        className={cn(
          "h-2 w-2 rounded-full",
          status === "online" && "bg-emerald-500",
          status === "connecting" && "animate-pulse bg-slate-400",
          status === "offline" && "bg-red-500",
        )}
      />
      {text}
    </span>
  );
}
