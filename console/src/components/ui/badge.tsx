import * as React from "react";
import { cva, type VariantProps } from "class-variance-authority";
import { cn } from "@/lib/utils";

export const badgeVariants = cva("inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium", {
  variants: {
    variant: {
      default: "border-transparent bg-primary text-primary-foreground",
      outline: "border-border text-foreground",
      critical: "border-transparent bg-red-700 text-white",
      high: "border-transparent bg-orange-600 text-white",
      medium: "border-transparent bg-amber-300 text-amber-950",
      low: "border-transparent bg-sky-200 text-sky-950",
      info: "border-transparent bg-slate-200 text-slate-900",
      success: "border-transparent bg-emerald-700 text-white",
      muted: "border-transparent bg-muted text-muted-foreground",
    },
  },
  defaultVariants: { variant: "default" },
});

export interface BadgeProps extends React.HTMLAttributes<HTMLSpanElement>, VariantProps<typeof badgeVariants> {}

export function Badge({ className, variant, ...props }: BadgeProps) {
  return <span className={cn(badgeVariants({ variant }), className)} {...props} />;
}
