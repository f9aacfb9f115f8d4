import type { ReactNode } from "react";
import { useWorkstation } from "../shared/app-context";
import { ScreenTitle } from "../shared/ScreenTitle";
import type { AdminLoad } from "./use-admin-listing";

/** The wording every admin screen gives to its gate and to its listing while it is not there. */
export type AdminScreenTexts = {
  title: string;
  adminsOnly: string;
  loading: string;
  needsServer: string;
  loadFailed: (message: string) => string;
  retry: string;
};

/**
 * Shows the screen to admins only. The server checks the role for real: this only spares an agent
 * a screen whose every call would be refused.
 */
export function AdminsOnly({ t, children }: { t: AdminScreenTexts; children: ReactNode }) {
  const { session } = useWorkstation();
  if (session.roles.includes("admin")) return <>{children}</>;
  return (
    <>
      <ScreenTitle>{t.title}</ScreenTitle>
      <p className="error" role="alert">
        {t.adminsOnly}
      </p>
    </>
  );
}

/** What an admin screen shows until its listing is read: loading, refused, or offline/failed with a retry. */
export function ListingNotReady<T>({
  t,
  load,
  reload,
}: {
  t: AdminScreenTexts;
  load: Exclude<AdminLoad<T>, { kind: "ready" }>;
  reload: () => Promise<unknown>;
}) {
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
          <p className="error" role="alert" data-testid="admin-unavailable">
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
