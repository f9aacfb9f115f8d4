import { type DependencyList, useEffect, useState } from "react";
import type { Observable } from "rxjs";

/** The latest value of an observable (an RxDB query's `$`), resubscribed when `deps` change. */
export function useObservable<T>(factory: () => Observable<T>, deps: DependencyList, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const sub = factory().subscribe(setValue);
    return () => sub.unsubscribe();
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what the factory reads
  }, deps);
  return value;
}
