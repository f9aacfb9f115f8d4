/**
 * What the desktop shell exposes to the renderer as `window.guichet` (absent in a browser).
 * Everything goes through IPC and is validated again in the main process.
 */

/** This workstation's settings, kept by the desktop shell in its user data folder. */
export type WorkstationConfig = {
  /** Address of the sync-server, e.g. https://guichet.mairie.fr ; "" while not configured. */
  serverUrl: string;
  /** e.g. « Accueil 1 » (80 characters at most). */
  workstationName: string;
  /** e.g. "demo" ; "" while not configured. */
  communeId: string;
  /**
   * CouchDB origins the app syncs with when CouchDB is not on the server's origin (the `couchUrl`
   * of GET /api/v1/workstation/config). The page's CSP only allows these and the server.
   */
  couchOrigins: string[];
};

export type FieldError = { field: string; message: string };

export type PrintAckOptions = {
  /** Print straight to the printer, without the print dialog. */
  silent?: boolean;
  /** A printer name as the system lists it; the default printer otherwise. */
  deviceName?: string;
};

export type PrintAckResult = { ok: true } | { ok: false; error: string };
export type SaveAckPdfResult = { ok: true; path: string } | { ok: false; error: string };
export type SetConfigResult = { ok: true } | { ok: false; errors: FieldError[] };

export interface GuichetApi {
  /** Prints the page as shown (its print stylesheet gives the accusé de réception). */
  printAck(options: PrintAckOptions): Promise<PrintAckResult>;
  /** Saves the page as PDF where the agent chooses; the name is only a suggestion (sanitised, .pdf). */
  saveAckPdf(suggestedName: string): Promise<SaveAckPdfResult>;
  getConfig(): Promise<WorkstationConfig>;
  /**
   * Validates and stores the settings. A new server or CouchDB origin is first confirmed by the
   * agent in a native dialog (refused: `errors` on `serverUrl`). When the allowed origins change,
   * the window reloads shortly after answering: the page's Content-Security-Policy is fixed at load.
   */
  setConfig(config: WorkstationConfig): Promise<SetConfigResult>;
  /** The application's version, e.g. "0.1.0". */
  version(): Promise<string>;
}

declare global {
  interface Window {
    /** Present only inside the desktop app. */
    readonly guichet?: GuichetApi;
  }
}
