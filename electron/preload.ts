import { contextBridge, ipcRenderer } from "electron";
import type { GuichetApi } from "./guichet-api";
import { IPC } from "./ipc-channels";

// Sandboxed preload: only contextBridge and ipcRenderer. Each method is one fixed channel; the
// renderer never gets ipcRenderer itself, and the main process validates every argument again.
const api: GuichetApi = {
  printAck: (options) => ipcRenderer.invoke(IPC.printAck, options),
  saveAckPdf: (suggestedName) => ipcRenderer.invoke(IPC.saveAckPdf, suggestedName),
  getConfig: () => ipcRenderer.invoke(IPC.getConfig),
  setConfig: (config) => ipcRenderer.invoke(IPC.setConfig, config),
  version: () => ipcRenderer.invoke(IPC.version),
};

contextBridge.exposeInMainWorld("guichet", Object.freeze(api));
