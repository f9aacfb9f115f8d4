import type { PrintAckOptions, PrintAckResult } from "../../../electron/guichet-api";

/**
 * The counter app's way to the desktop shell (`window.guichet`, electron/preload.ts). In a
 * browser (the app served by the sync-server) there is none: printing falls back to
 * window.print(), whose dialog also offers « Enregistrer au format PDF ».
 */
export async function printAck(options: PrintAckOptions = {}): Promise<PrintAckResult> {
  const api = typeof window === "undefined" ? undefined : window.guichet;
  if (api) return api.printAck(options);
  try {
    window.print();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: `Impression impossible : ${(e as Error).message}` };
  }
}
