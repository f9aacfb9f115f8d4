import { useEffect } from "react";
import { idleTimer } from "./idle-timer";

// Any of these counts as the agent being there.
const INPUT_EVENTS = ["keydown", "input", "pointerdown", "pointermove", "wheel", "touchstart"] as const;

/** Calls `onIdle` after `timeoutMs` without input, while `active`; started again on each activation. */
export function useIdleLock(timeoutMs: number, active: boolean, onIdle: () => void): void {
  useEffect(() => {
    if (!active) return;
    const timer = idleTimer({ timeoutMs, onIdle });
    const touch = () => timer.touch();
    const options = { capture: true, passive: true };
    for (const e of INPUT_EVENTS) window.addEventListener(e, touch, options);
    return () => {
      timer.stop();
      for (const e of INPUT_EVENTS) window.removeEventListener(e, touch, options);
    };
  }, [timeoutMs, active, onIdle]);
}
