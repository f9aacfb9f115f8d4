import type { RevokedNotice } from "../../sync/workstation-wipe";
import { formatDateTime } from "../shared/format";
import { ScreenTitle } from "../shared/ScreenTitle";
import { frFleet as t } from "./fr-fleet";

/** Shown instead of everything once the server revoked this workstation: during the wipe, then why. */
export function RevokedScreen({
  notice,
  onSetUpAgain,
}: {
  notice: RevokedNotice | null;
  onSetUpAgain(): void;
}) {
  return (
    <main id="main" className="login" data-testid="revoked-screen">
      <ScreenTitle>{t.revokedTitle}</ScreenTitle>
      {notice ? (
        <>
          <p role="alert">{t.revokedBody}</p>
          <p>{t.revokedWhen(formatDateTime(notice.at), notice.code)}</p>
          <p className="buttons">
            <button type="button" onClick={onSetUpAgain}>
              {t.setUpAgain}
            </button>
          </p>
        </>
      ) : (
        <p role="status">{t.wiping}</p>
      )}
    </main>
  );
}
