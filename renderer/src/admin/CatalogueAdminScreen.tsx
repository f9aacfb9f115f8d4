import { useState } from "react";
import type { Demarche } from "../../../domain/catalogue";
import { fetchCatalogue } from "../../sync/admin-client";
import { CONFIG_STALE_EVENT } from "../settings/use-config-refresh";
import { ScreenTitle } from "../shared/ScreenTitle";
import { AdminsOnly, ListingNotReady } from "./AdminFrame";
import { DemarcheEditor } from "./DemarcheEditor";
import { type DemarcheDraft, draftFrom, newDraft } from "./demarche-draft";
import { frAdmin as t } from "./fr-admin";
import { NoticeTemplatesEditor } from "./NoticeTemplatesEditor";
import { useAdminListing } from "./use-admin-listing";

/**
 * #/admin/catalogue: admins list and edit the démarches through the sync-server's API (never
 * CouchDB directly). The role is checked here for the screen, and by the server for real.
 */
export function CatalogueAdminScreen() {
  return (
    <AdminsOnly t={t}>
      <CatalogueAdmin />
    </AdminsOnly>
  );
}

function CatalogueAdmin() {
  const { load, reload } = useAdminListing(fetchCatalogue, { keepShown: true });
  const [draft, setDraft] = useState<DemarcheDraft | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [letters, setLetters] = useState<Demarche | null>(null);

  if (load.kind !== "ready") return <ListingNotReady t={t} load={load} reload={reload} />;

  const { listing } = load;
  if (letters) return <NoticeTemplatesEditor demarche={letters} onDone={() => setLetters(null)} />;
  if (draft) {
    return (
      <DemarcheEditor
        key={`${draft.id}@${draft.baseVersion}`}
        initial={draft}
        services={listing.services}
        onCancel={() => setDraft(null)}
        onSaved={(saved: Demarche, changed: boolean) => {
          setNotice(changed ? t.form.saved(saved.label, saved.version) : t.form.unchanged);
          setDraft(null);
          void reload();
          // This workstation need not wait for its next periodic read; the server's own reload of
          // the catalogue (its changes feed) takes a moment, hence the delay.
          if (changed) setTimeout(() => window.dispatchEvent(new Event(CONFIG_STALE_EVENT)), 1_000);
        }}
      />
    );
  }

  const serviceName = (id: string) => listing.services.find((s) => s.id === id)?.name ?? id;
  return (
    <>
      <ScreenTitle>{t.title}</ScreenTitle>
      <p className="help">{t.intro}</p>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      <p className="buttons">
        <button type="button" onClick={() => setDraft(newDraft(listing.services[0]?.id ?? ""))}>
          {t.list.add}
        </button>
      </p>
      <table className="admin-catalogue">
        <caption>{t.list.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.list.demarche}</th>
            <th scope="col">{t.list.service}</th>
            <th scope="col">{t.list.deadline}</th>
            <th scope="col">{t.list.retention}</th>
            <th scope="col">{t.list.online}</th>
            <th scope="col">{t.list.version}</th>
            <th scope="col">{t.list.actions}</th>
          </tr>
        </thead>
        <tbody>
          {listing.demarches.map((d) => (
            <tr key={d.id} data-testid="admin-demarche-row">
              <th scope="row">{d.label}</th>
              <td>{serviceName(d.service)}</td>
              <td>{ruleText(d)}</td>
              <td>{t.list.days(d.retentionDays)}</td>
              <td>{d.online ? t.yes : t.no}</td>
              <td>
                {d.version}
                {t.list.pastVersions(listing.archived[d.id]?.length ?? 0)}
              </td>
              <td>
                <button
                  type="button"
                  aria-label={t.list.edit(d.label)}
                  onClick={() => {
                    setNotice(null);
                    setDraft(draftFrom(d));
                  }}
                >
                  {t.list.editShort}
                </button>{" "}
                <button
                  type="button"
                  aria-label={t.notices.open(d.label)}
                  onClick={() => {
                    setNotice(null);
                    setLetters(d);
                  }}
                >
                  {t.notices.openShort}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ruleText(d: Demarche): string {
  const { kind, months, days } = d.rule;
  if (kind === "none") return t.ruleShort.none;
  const delay = days !== undefined ? `${days} ${t.form.days}` : `${months ?? 2} ${t.form.months}`;
  return `${t.ruleShort[kind]}, ${delay}`;
}
