import { fetchCommune } from "../../sync/commune-admin-client";
import { useWorkstation } from "../shared/app-context";
import { ScreenTitle } from "../shared/ScreenTitle";
import { AgentsPanel } from "./AgentsPanel";
import { configChanged } from "./admin-save";
import { frCommune as t } from "./fr-commune-admin";
import { IdentityForm } from "./IdentityForm";
import { ServicesPanel } from "./ServicesPanel";
import { useAdminListing } from "./use-admin-listing";

/**
 * #/admin/commune: the commune's identity and calendar, its services and its agents, through the
 * sync-server's API (never CouchDB directly). The role is checked here for the screen, and by the
 * server for real.
 */
export function CommuneAdminScreen() {
  const { session } = useWorkstation();
  if (!session.roles.includes("admin")) {
    return (
      <>
        <ScreenTitle>{t.title}</ScreenTitle>
        <p className="error" role="alert">
          {t.adminsOnly}
        </p>
      </>
    );
  }
  return <CommuneAdmin />;
}

function CommuneAdmin() {
  const { load, reload } = useAdminListing(fetchCommune);

  if (load.kind !== "ready") {
    return (
      <>
        <ScreenTitle>{t.title}</ScreenTitle>
        {load.kind === "loading" && <p role="status">{t.loading}</p>}
        {load.kind === "forbidden" && (
          <p className="error" role="alert">
            {t.adminsOnly}
          </p>
        )}
        {(load.kind === "offline" || load.kind === "error") && (
          <>
            <p className="error" role="alert">
              {load.kind === "offline" ? t.needsServer : t.loadFailed(load.message)}
            </p>
            <p className="buttons">
              <button type="button" onClick={() => void reload()}>
                {t.retry}
              </button>
            </p>
          </>
        )}
      </>
    );
  }

  const { listing } = load;
  return (
    <>
      <ScreenTitle>{t.title}</ScreenTitle>
      <p className="help">{t.intro}</p>
      {listing.commune.demo && <p className="warning">{t.demo}</p>}
      <p
        role="status"
        className={listing.gaps.length > 0 ? "warning" : "success"}
        data-testid="identity-gaps"
      >
        {listing.gaps.length > 0 ? t.gaps(listing.gaps.join(", ")) : t.complete}
      </p>
      <IdentityForm
        key={listing.commune.version}
        commune={listing.commune}
        onSaved={() => {
          configChanged();
          void reload();
        }}
      />
      <ServicesPanel services={listing.services} onSaved={() => void reload()} />
      <AgentsPanel />
    </>
  );
}
