import "./zod-jitless";
import { notifyManager, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { openLocalData } from "../db/local-database";
import { App } from "./app/App";
import { StartupError } from "./app/StartupError";
import { fr } from "./i18n/fr";
import "./styles.css";

// Opened at once, in parallel with the first render: the list is ready as soon as the agent is.
const dataPromise = openLocalData();

// Local reads resolve in a few ms: hand results to React in a microtask, not a 0 ms timer (clamped to 4 ms).
notifyManager.setScheduler(queueMicrotask);

const queryClient = new QueryClient({
  defaultOptions: {
    // Data is local: it is read offline too ("always"), never retried, never refetched on focus
    // (changes push invalidations instead).
    queries: {
      networkMode: "always",
      retry: false,
      refetchOnWindowFocus: false,
      staleTime: Number.POSITIVE_INFINITY,
      gcTime: 60_000,
    },
    mutations: { networkMode: "always" },
  },
});

// The service worker (vite.config.ts) in a browser only; Electron's app:// serves its own files.
if (import.meta.env.PROD && import.meta.env.MODE !== "bench" && /^https?:$/.test(location.protocol)) {
  void navigator.serviceWorker?.register("./sw.js", { scope: "./" }).catch(() => {
    // Without it the app still works online; only the offline reload is lost.
  });
}

if (import.meta.env.MODE === "bench") {
  void import("./test-hook").then((m) => m.installTestHook(dataPromise, queryClient));
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <StartupError>
          <Suspense fallback={<p className="loading">{fr.app.openingDatabase}</p>}>
            <App dataPromise={dataPromise} />
          </Suspense>
        </StartupError>
      </QueryClientProvider>
    </StrictMode>,
  );
}
