import { useState } from "react";
import { fetchApiKeys, issueApiKey, revokeApiKey, setRequireKey } from "../../sync/api-keys-client";
import { ApiError } from "../../sync/server-api";
import { useWorkstation } from "../shared/app-context";
import { formatDateTime } from "../shared/format";
import { ScreenTitle } from "../shared/ScreenTitle";
import { AdminsOnly, ListingNotReady } from "./AdminFrame";
import { frApiKeys as t } from "./fr-api-keys";
import { useAdminListing } from "./use-admin-listing";

const reasonOf = (err: unknown): string => (err instanceof ApiError ? err.reason : String(err));

/**
 * #/admin/api-keys: admins issue and revoke the Open311 keys of the applications and say whether
 * posting needs one. Through the sync-server's API only; the server checks the role for real.
 */
export function ApiKeysScreen() {
  return (
    <AdminsOnly t={t}>
      <ApiKeysAdmin />
    </AdminsOnly>
  );
}

function ApiKeysAdmin() {
  const { settings, session } = useWorkstation();
  const { load, setLoad, reload } = useAdminListing(fetchApiKeys);
  const [name, setName] = useState("");
  const [issued, setIssued] = useState<{ application: string; key: string } | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  // Revoking asks once more, on the page (no browser dialog).
  const [confirming, setConfirming] = useState<string | null>(null);

  async function act(action: () => Promise<string | null>) {
    setNotice(null);
    try {
      const text = await action();
      if (text) setNotice({ ok: true, text });
    } catch (err) {
      setNotice({ ok: false, text: t.failed(reasonOf(err)) });
    }
    await reload();
  }

  if (load.kind !== "ready") return <ListingNotReady t={t} load={load} reload={reload} />;

  const { listing } = load;
  return (
    <>
      <ScreenTitle>{t.title}</ScreenTitle>
      <p className="help">{t.intro}</p>
      {notice && (
        <p className={notice.ok ? "success" : "error"} role={notice.ok ? "status" : "alert"}>
          {notice.text}
        </p>
      )}
      <p>
        <label>
          <input
            type="checkbox"
            checked={listing.requireKey}
            onChange={(e) => {
              const on = e.target.checked;
              // Ticked at once; the reload that follows shows the server's answer.
              setLoad({ kind: "ready", listing: { ...listing, requireKey: on } });
              void act(async () => {
                await setRequireKey(settings.serverUrl, session, on);
                return t.requireSaved(on);
              });
            }}
          />{" "}
          {t.requireKey}
        </label>
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const application = name.trim();
          void act(async () => {
            const created = await issueApiKey(settings.serverUrl, session, application);
            setIssued({ application: created.application, key: created.key });
            setName("");
            return null;
          });
        }}
      >
        <label htmlFor="api-key-application">{t.application}</label>{" "}
        <input
          id="api-key-application"
          value={name}
          maxLength={80}
          required
          onChange={(e) => setName(e.target.value)}
        />{" "}
        <button type="submit">{t.issue}</button>
      </form>
      {issued && (
        <div className="success" role="status" data-testid="api-key-issued">
          <p>{t.issued(issued.application)}</p>
          <p>
            <code>{issued.key}</code>
          </p>
        </div>
      )}
      <table className="admin-catalogue">
        <caption>{t.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.colApplication}</th>
            <th scope="col">{t.colCreated}</th>
            <th scope="col">{t.colState}</th>
            <th scope="col">{t.colActions}</th>
          </tr>
        </thead>
        <tbody>
          {listing.keys.length === 0 && (
            <tr>
              <td colSpan={4}>{t.none}</td>
            </tr>
          )}
          {listing.keys.map((k) => (
            <tr key={k.id} data-testid="api-key-row">
              <th scope="row">{k.application}</th>
              <td>{formatDateTime(k.createdAt)}</td>
              <td>{k.revokedAt ? t.revoked(formatDateTime(k.revokedAt), k.revokedBy ?? "") : t.active}</td>
              <td>
                {!k.revokedAt && confirming !== k.id && (
                  <button
                    type="button"
                    aria-label={t.revokeLabel(k.application)}
                    onClick={() => setConfirming(k.id)}
                  >
                    {t.revoke}
                  </button>
                )}
                {!k.revokedAt && confirming === k.id && (
                  <span>
                    {t.confirmRevoke(k.application)}{" "}
                    <button
                      type="button"
                      onClick={() =>
                        void act(async () => {
                          await revokeApiKey(settings.serverUrl, session, k.id);
                          setConfirming(null);
                          setIssued(null);
                          return t.revokedNotice(k.application);
                        })
                      }
                    >
                      {t.revokeYes}
                    </button>{" "}
                    <button type="button" onClick={() => setConfirming(null)}>
                      {t.cancel}
                    </button>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
