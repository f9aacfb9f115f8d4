import { useState } from "react";
import { parisDate } from "../../../domain/history";
import type { IndexedQuery } from "../../db/indexed-query";
import type { QueueId } from "../../db/queues";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { readAll } from "../shared/queue-queries";
import { downloadText } from "./download";
import { exportFileName, queueCsv } from "./queue-export";

/** Exports every request of the filtered queue (not only the rows on screen) as a CSV file. */
export function ExportButton({ queue, query }: { queue: QueueId; query: IndexedQuery }) {
  const { data, catalogue } = useWorkstation();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function run() {
    setBusy(true);
    setMessage(null);
    try {
      const rows = await readAll(data, query);
      const file = exportFileName(queue, parisDate(new Date().toISOString()));
      downloadText(file, queueCsv(rows, catalogue));
      setMessage({ ok: true, text: fr.csv.exported(rows.length, file) });
    } catch (err) {
      setMessage({ ok: false, text: fr.csv.failed((err as Error).message) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="export">
      <button type="button" onClick={run} disabled={busy}>
        {busy ? fr.csv.exporting : fr.csv.export}
      </button>
      {message && (
        <p
          className={message.ok ? "success" : "error"}
          role={message.ok ? "status" : "alert"}
          data-testid="export-message"
        >
          {message.text}
        </p>
      )}
    </div>
  );
}
