import path from "node:path";
import { isAppUrl } from "./app-origin";
import type { ConfigStore } from "./config-store";
import type { PrintAckResult, SaveAckPdfResult, SetConfigResult, WorkstationConfig } from "./guichet-api";
import { IPC, type IpcChannel } from "./ipc-channels";
import { firstIssue, printAckInput, saveAckPdfInput } from "./ipc-schemas";
import { ensurePdfExtension, sanitizePdfName } from "./pdf-name";
import { connectOriginsOf, parseWorkstationConfig } from "./workstation-config";

/** What the handlers need from Electron, given by main.ts (and by fakes in tests). */
export type IpcDeps = {
  print(options: { silent: boolean; deviceName?: string }): Promise<PrintAckResult>;
  listPrinters(): Promise<string[]>;
  printToPdf(): Promise<Uint8Array>;
  /** Shows the save dialog; the chosen path, or undefined when cancelled. */
  showSaveDialog(defaultPath: string): Promise<string | undefined>;
  writeFile(file: string, data: Uint8Array): Promise<void>;
  documentsDir: string;
  config: Pick<ConfigStore, "current" | "save">;
  version: string;
  /**
   * Asks the agent, in a native dialog the page cannot click, before the app may talk to other
   * servers: a compromised page must not redirect the sync (and the personal data) elsewhere.
   */
  confirmServers?(origins: string[]): Promise<boolean>;
  onConfigSaved?(previous: WorkstationConfig, next: WorkstationConfig): void;
  log?(message: string): void;
};

export type IpcHandlers = {
  [IPC.printAck]: (options: unknown) => Promise<PrintAckResult>;
  [IPC.saveAckPdf]: (suggestedName: unknown) => Promise<SaveAckPdfResult>;
  [IPC.getConfig]: () => Promise<WorkstationConfig>;
  [IPC.setConfig]: (config: unknown) => Promise<SetConfigResult>;
  [IPC.version]: () => Promise<string>;
};

/** Chromium's print failure reasons, for the agent. */
export function printFailureMessage(reason: string): string {
  if (/cancel/i.test(reason)) return "Impression annulée.";
  if (/deviceName|printer settings/i.test(reason)) return `Imprimante indisponible (${reason}).`;
  return `Impression impossible (${reason || "raison inconnue"}).`;
}

/**
 * The handlers behind window.guichet. Every argument is `unknown` and checked here: the renderer
 * is not trusted to send a path, a URL or a well-formed object.
 */
export function createIpcHandlers(deps: IpcDeps): IpcHandlers {
  const log = deps.log ?? (() => undefined);
  // One dialog or print job at a time: a looping renderer cannot stack up dialogs.
  let printing = false;
  let saving = false;

  return {
    async [IPC.printAck](options) {
      const parsed = printAckInput.safeParse(options);
      if (!parsed.success)
        return { ok: false, error: `Options d'impression invalides : ${firstIssue(parsed.error)}` };
      if (printing) return { ok: false, error: "Une impression est déjà en cours." };
      printing = true;
      try {
        const { deviceName } = parsed.data;
        if (deviceName !== undefined && !(await deps.listPrinters()).includes(deviceName)) {
          return { ok: false, error: `Imprimante « ${deviceName} » introuvable.` };
        }
        return await deps.print(parsed.data);
      } catch (e) {
        log(`[impression] ${(e as Error).message}`);
        return { ok: false, error: printFailureMessage((e as Error).message) };
      } finally {
        printing = false;
      }
    },

    async [IPC.saveAckPdf](suggestedName) {
      const parsed = saveAckPdfInput.safeParse(suggestedName);
      if (!parsed.success)
        return { ok: false, error: `Nom de fichier invalide : ${firstIssue(parsed.error)}` };
      if (saving) return { ok: false, error: "Un enregistrement est déjà en cours." };
      saving = true;
      try {
        const defaultPath = path.join(deps.documentsDir, sanitizePdfName(parsed.data));
        const chosen = await deps.showSaveDialog(defaultPath);
        if (!chosen) return { ok: false, error: "Enregistrement annulé." };
        const target = ensurePdfExtension(chosen);
        const pdf = await deps.printToPdf();
        await deps.writeFile(target, pdf);
        return { ok: true, path: target };
      } catch (e) {
        log(`[pdf] ${(e as Error).message}`);
        return { ok: false, error: `Impossible d'enregistrer le PDF : ${(e as Error).message}` };
      } finally {
        saving = false;
      }
    },

    async [IPC.getConfig]() {
      return deps.config.current();
    },

    async [IPC.setConfig](config) {
      const previous = deps.config.current();
      const parsed = parseWorkstationConfig(config);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      const origins = connectOriginsOf(parsed.config);
      const added = origins.filter((o) => !connectOriginsOf(previous).includes(o));
      if (added.length > 0 && deps.confirmServers && !(await deps.confirmServers(origins))) {
        return { ok: false, errors: [{ field: "serverUrl", message: "Changement de serveur annulé." }] };
      }
      try {
        const saved = await deps.config.save(parsed.config);
        if (!saved.ok) return { ok: false, errors: saved.errors };
        deps.onConfigSaved?.(previous, saved.config);
        return { ok: true };
      } catch (e) {
        log(`[configuration] ${(e as Error).message}`);
        return {
          ok: false,
          errors: [
            { field: "configuration", message: `Enregistrement impossible : ${(e as Error).message}` },
          ],
        };
      }
    },

    async [IPC.version]() {
      return deps.version;
    },
  };
}

/** The part of an IPC event used to check who is calling (Electron's IpcMainInvokeEvent fits). */
export type SenderEvent = { senderFrame: { url: string; parent: unknown } | null };

/** Only the app's own top-level page may call: not an iframe, not a page navigated elsewhere. */
export function isTrustedSender(event: SenderEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

export type IpcMainLike = {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => unknown): void;
};

/** Registers the handlers behind the sender check. */
export function registerIpcHandlers(
  ipc: IpcMainLike,
  handlers: IpcHandlers,
  log: (message: string) => void = () => undefined,
): void {
  for (const channel of Object.values(IPC) as IpcChannel[]) {
    const handler = handlers[channel] as (arg: unknown) => Promise<unknown>;
    ipc.handle(channel, (event, arg) => {
      if (!isTrustedSender(event)) {
        log(`[ipc] appel ${channel} refusé depuis ${event.senderFrame?.url ?? "une page fermée"}`);
        throw new Error("Appel refusé : cette page n'est pas celle de Guichet.");
      }
      return handler(arg);
    });
  }
}
