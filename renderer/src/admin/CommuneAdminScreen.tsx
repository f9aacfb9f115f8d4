import { fetchCommune } from "../../sync/commune-admin-client";
import { ScreenTitle } from "../shared/ScreenTitle";
import { AdminsOnly, ListingNotReady } from "./AdminFrame";
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
  return (
    <AdminsOnly t={t}>
      <CommuneAdmin />
    </AdminsOnly>
  );
}

function CommuneAdmin() {
  const { load, reload } = useAdminListing(fetchCommune);

  if (load.kind !== "ready") return <ListingNotReady t={t} load={load} reload={reload} />;

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
