import { useLayoutEffect, useState } from "react";

/**
 * useCompact says whether an element is narrower than belowPx. It follows
 * the element's own width, not the window's: sidebars and navigation take
 * their share. Lists use it to switch to two-line rows.
 */
export function useCompact(ref: React.RefObject<HTMLElement | null>, belowPx: number): boolean {
  const [c, setC] = useState(() => window.innerWidth < belowPx);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const check = () => setC(el.clientWidth > 0 && el.clientWidth < belowPx);
    check();
    const ro = new ResizeObserver(check);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, belowPx]);
  return c;
}
