import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { ROLE_LABELS, type Role } from "../../../domain/roles";
import type { SyncView } from "../../sync/workstation-sync";
import { ApiKeysScreen } from "../admin/ApiKeysScreen";
import { frAdmin } from "../admin/fr-admin";
import { frApiKeys } from "../admin/fr-api-keys";
import { frCommune } from "../admin/fr-commune-admin";
import { CitizenScreen } from "../citizen/CitizenScreen";
import { canSeeDashboard } from "../dashboard/access";
import { DetailScreen } from "../detail/DetailScreen";
import { FleetScreen } from "../fleet/FleetScreen";
import { frFleet } from "../fleet/fr-fleet";
import { fr } from "../i18n/fr";
import { QueueScreen } from "../queues/QueueScreen";
import { QuickAnswerDialog } from "../quick-answers/QuickAnswerDialog";
import { TodayCounter } from "../quick-answers/TodayCounter";
import { NewRequestScreen } from "../requests/NewRequestScreen";
import { SavedScreen } from "../requests/SavedScreen";
import { SearchScreen } from "../search/SearchScreen";
import { SettingsScreen } from "../settings/SettingsScreen";
import { useWorkstation } from "../shared/app-context";
import { href, navigate, type Route } from "../shared/routes";
import { searchTypedAhead } from "../shared/typed-ahead";
import { SyncBar } from "../sync-ui/SyncBar";
import { SyncScreen } from "../sync-ui/SyncScreen";
import { prefetchRoute } from "./prefetch";
import { type ShortcutHandlers, useGlobalShortcuts } from "./shortcuts";

type NavItem = {
  route: Route;
  label: string;
  hint?: string;
  match: Route["name"][];
  /** Shown only to these roles (the screen checks again). */
  visible?: (roles: readonly Role[]) => boolean;
};

// Loaded on first use: chart.js stays out of the start-up bundle of every workstation.
const DashboardScreen = lazy(() => import("../dashboard/DashboardScreen"));
const CatalogueAdminScreen = lazy(() =>
  import("../admin/CatalogueAdminScreen").then((m) => ({ default: m.CatalogueAdminScreen })),
);
const CommuneAdminScreen = lazy(() =>
  import("../admin/CommuneAdminScreen").then((m) => ({ default: m.CommuneAdminScreen })),
);

const NAV: NavItem[] = [
  { route: { name: "new" }, label: fr.nav.newRequest, hint: "Alt+N", match: ["new", "saved"] },
  {
    route: { name: "queue", queue: "service" },
    label: fr.nav.queues,
    hint: "Alt+F",
    match: ["queue", "request"],
  },
  { route: { name: "search", q: "" }, label: fr.nav.search, hint: "/", match: ["search"] },
  { route: { name: "dashboard" }, label: fr.dashboard.nav, match: ["dashboard"], visible: canSeeDashboard },
  { route: { name: "fleet" }, label: frFleet.nav, match: ["fleet"], visible: canSeeDashboard },
  { route: { name: "sync" }, label: fr.nav.sync, match: ["sync"] },
  { route: { name: "settings" }, label: fr.nav.settings, match: ["settings"] },
  {
    route: { name: "admin-catalogue" },
    label: frAdmin.nav,
    match: ["admin-catalogue"],
    visible: (roles) => roles.includes("admin"),
  },
  {
    route: { name: "admin-api-keys" },
    label: frApiKeys.nav,
    match: ["admin-api-keys"],
    visible: (roles) => roles.includes("admin"),
  },
  {
    route: { name: "admin-commune" },
    label: frCommune.nav,
    match: ["admin-commune"],
    visible: (roles) => roles.includes("admin"),
  },
];

/** The logged-in app: header with navigation, the sync bar, the current screen, the shortcuts. */
export function Workspace({ route, sync, onLogout }: { route: Route; sync: SyncView; onLogout(): void }) {
  const ws = useWorkstation();
  const { session, commune } = ws;
  const [quickOpen, setQuickOpen] = useState(false);
  const shortcuts = useMemo<ShortcutHandlers>(
    () => ({
      newRequest: () => navigate({ name: "new" }),
      quickAnswer: () => setQuickOpen(true),
      queues: () => navigate({ name: "queue", queue: "service" }),
      search: () => {
        // Already open: its field takes the focus now. Otherwise the keys typed until it
        // appears are caught for it (shortcuts.ts, SearchScreen).
        const open = document.getElementById("search-input");
        if (!open) searchTypedAhead.start(performance.now());
        navigate({ name: "search", q: "" });
        open?.focus();
        requestAnimationFrame(() => document.getElementById("search-input")?.focus());
      },
    }),
    [],
  );
  useGlobalShortcuts(shortcuts);
  // The dashboard's rows (kept from the last session) are loaded soon after login for every role,
  // then follow each write, the replication's included: a supervisor who logs in later on this
  // workstation, or opens the dashboard after the first pull, finds them ready instead of reading
  // every request. Bench builds can turn it off to measure what it costs the pull.
  useEffect(() => {
    if (import.meta.env.MODE === "bench" && localStorage.getItem("guichet.bench.noRows")) return;
    const timer = setTimeout(() => {
      void import("../../db/stats-source")
        .then((m) => {
          const sources = m.dashboardSources(ws.data);
          return Promise.all([sources.requests.load(), sources.quickAnswers.load()]);
        })
        .catch(() => undefined); // the dashboard retries and reports on opening
    }, 2_000);
    return () => clearTimeout(timer);
  }, [ws.data]);
  const client = useQueryClient();
  useEffect(() => {
    // Capture phase: runs before the route state changes, so the read starts first.
    const onHash = () => prefetchRoute(location.hash, ws, client);
    window.addEventListener("hashchange", onHash, true);
    return () => window.removeEventListener("hashchange", onHash, true);
  }, [ws, client]);
  const roles = session.roles.map((r) => ROLE_LABELS[r]).join(", ");

  return (
    <div className="workspace">
      <button type="button" className="skip-link" onClick={skipToMain}>
        {fr.app.skipToContent}
      </button>
      <header className="topbar no-print">
        <p className="brand">
          {fr.app.title} — {commune.name}
        </p>
        <nav aria-label={fr.nav.label}>
          <ul className="nav-links">
            {NAV.filter((item) => !item.visible || item.visible(session.roles)).map((item) => (
              <li key={item.label}>
                <a
                  href={href(item.route)}
                  aria-current={item.match.includes(route.name) ? "page" : undefined}
                >
                  {item.label}
                  {item.hint && <kbd>{item.hint}</kbd>}
                </a>
              </li>
            ))}
            <li>
              <button type="button" onClick={() => setQuickOpen(true)}>
                {fr.nav.quickAnswer}
                <kbd>Alt+R</kbd>
              </button>
            </li>
          </ul>
        </nav>
        <div className="who">
          <TodayCounter />
          <span>
            {fr.nav.connectedAs(session.username, roles)}
            {session.offline && ` — ${fr.nav.offlineSession}`}
          </span>
          <button type="button" onClick={onLogout}>
            {fr.nav.logout}
          </button>
        </div>
      </header>
      <div className="no-print">
        <SyncBar status={sync} />
      </div>
      <main id="main" tabIndex={-1}>
        <Screen route={route} sync={sync} />
      </main>
      <footer className="shortcuts no-print">
        <p>
          <strong>{fr.shortcuts.title} :</strong>{" "}
          {[
            fr.shortcuts.newRequest,
            fr.shortcuts.quickAnswer,
            fr.shortcuts.queues,
            fr.shortcuts.search,
            fr.shortcuts.save,
            fr.shortcuts.escape,
          ].join(" · ")}
        </p>
      </footer>
      {quickOpen && <QuickAnswerDialog onClose={() => setQuickOpen(false)} />}
    </div>
  );
}

// A button, not a "#main" link: hashes are the app's routes here.
function skipToMain() {
  document.getElementById("main")?.focus();
}

function Screen({ route, sync }: { route: Route; sync: SyncView }) {
  switch (route.name) {
    case "new":
      return <NewRequestScreen />;
    case "saved":
      return <SavedScreen id={route.id} />;
    case "queue":
      return <QueueScreen queue={route.queue} />;
    case "request":
      return <DetailScreen id={route.id} />;
    case "citizen":
      return <CitizenScreen id={route.id} />;
    case "search":
      return <SearchScreen initial={route.q} />;
    case "sync":
      return <SyncScreen status={sync} />;
    case "fleet":
      return <FleetScreen />;
    case "settings":
      return <SettingsScreen />;
    case "dashboard":
      return (
        <Suspense fallback={<p className="loading">{fr.app.loading}</p>}>
          <DashboardScreen />
        </Suspense>
      );
    case "admin-catalogue":
      return (
        <Suspense fallback={<p className="loading">{fr.app.loading}</p>}>
          <CatalogueAdminScreen />
        </Suspense>
      );
    case "admin-api-keys":
      // Not lazy: one more lazy chunk made the bundler move zod into a shared chunk that runs
      // before zod-jitless.ts, and the CSP then logs zod's eval probe.
      return <ApiKeysScreen />;
    case "admin-commune":
      return (
        <Suspense fallback={<p className="loading">{fr.app.loading}</p>}>
          <CommuneAdminScreen />
        </Suspense>
      );
  }
}
