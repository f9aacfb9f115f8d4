import type {
  GuichetApi,
  PrintAckOptions,
  PrintAckResult,
  SaveAckPdfResult,
  SetConfigResult,
  WorkstationConfig,
} from "./guichet-api";

/**
 * The renderer's way to the desktop shell. In a browser (the counter app served by the
 * sync-server) there is no window.guichet: printing falls back to window.print(), whose dialog
 * also offers « Enregistrer au format PDF ».
 */
function desktop(): GuichetApi | undefined {
  return typeof window === "undefined" ? undefined : window.guichet;
}

export function isDesktop(): boolean {
  return desktop() !== undefined;
}

export async function printAck(options: PrintAckOptions = {}): Promise<PrintAckResult> {
  const api = desktop();
  if (api) return api.printAck(options);
  try {
    window.print();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: `Impression impossible : ${(e as Error).message}` };
  }
}

/** `path: null`: no file was written by the app, the browser's print dialog was shown instead. */
export type BridgeSaveResult = SaveAckPdfResult | { ok: true; path: null };

export async function saveAckPdf(suggestedName: string): Promise<BridgeSaveResult> {
  const api = desktop();
  if (api) return api.saveAckPdf(suggestedName);
  const printed = await printAck();
  return printed.ok ? { ok: true, path: null } : printed;
}

/** The workstation settings kept by the desktop shell; null in a browser. */
export async function desktopConfig(): Promise<WorkstationConfig | null> {
  return (await desktop()?.getConfig()) ?? null;
}

/** Stores the settings in the desktop shell; in a browser there is nothing to store there. */
export async function saveDesktopConfig(config: WorkstationConfig): Promise<SetConfigResult | null> {
  return (await desktop()?.setConfig(config)) ?? null;
}

/** The desktop app's version; null in a browser. */
export async function desktopVersion(): Promise<string | null> {
  return (await desktop()?.version()) ?? null;
}
