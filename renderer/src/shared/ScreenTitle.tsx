import { type ReactNode, useEffect, useRef } from "react";

/**
 * The screen's h1, focused when the screen opens (unless a field took focus first), so keyboard
 * and screen-reader users start at the top of what just changed.
 */
export function ScreenTitle({ children, focus = true }: { children: ReactNode; focus?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!focus) return;
    // Next frame: focusing now would force a layout in the middle of React's commit.
    const frame = requestAnimationFrame(() => {
      if (document.activeElement === document.body || document.activeElement === null) ref.current?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [focus]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
