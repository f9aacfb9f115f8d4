/** IPC channel names shared by the preload and the main process. */
export const IPC = {
  printAck: "guichet:print-ack",
  saveAckPdf: "guichet:save-ack-pdf",
  getConfig: "guichet:get-config",
  setConfig: "guichet:set-config",
  version: "guichet:version",
} as const;

export type IpcChannel = (typeof IPC)[keyof typeof IPC];
