import type { MenuItemConstructorOptions } from "electron";

export type MenuActions = {
  printAck(): void;
  saveAckPdf(): void;
  reload(): void;
  about(): void;
};

export const PRODUCT_NAME = "Guichet";

/** The French application menu. Roles keep the platform behaviour; labels are ours. */
export function buildMenuTemplate(opts: {
  platform: NodeJS.Platform;
  actions: MenuActions;
  /** Developer tools entry: only when not packaged. */
  devTools?: boolean;
}): MenuItemConstructorOptions[] {
  const { actions } = opts;
  const mac = opts.platform === "darwin";
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: PRODUCT_NAME,
      submenu: [
        { label: `À propos de ${PRODUCT_NAME}`, click: () => actions.about() },
        { type: "separator" },
        { role: "hide", label: `Masquer ${PRODUCT_NAME}` },
        { role: "unhide", label: "Tout afficher" },
        { type: "separator" },
        { role: "quit", label: `Quitter ${PRODUCT_NAME}` },
      ],
    });
  }
  template.push(
    {
      label: "Fichier",
      submenu: [
        { label: "Imprimer l'accusé…", accelerator: "CmdOrCtrl+P", click: () => actions.printAck() },
        {
          label: "Enregistrer l'accusé en PDF…",
          accelerator: "CmdOrCtrl+Shift+S",
          click: () => actions.saveAckPdf(),
        },
        ...(mac
          ? []
          : [
              { type: "separator" } as const,
              { role: "quit", label: "Quitter", accelerator: "CmdOrCtrl+Q" } as const,
            ]),
      ],
    },
    {
      label: "Édition",
      submenu: [
        { role: "undo", label: "Annuler" },
        { role: "redo", label: "Rétablir" },
        { type: "separator" },
        { role: "cut", label: "Couper" },
        { role: "copy", label: "Copier" },
        { role: "paste", label: "Coller" },
        { role: "selectAll", label: "Tout sélectionner" },
      ],
    },
    {
      label: "Affichage",
      submenu: [
        { label: "Recharger", accelerator: "CmdOrCtrl+R", click: () => actions.reload() },
        { role: "togglefullscreen", label: "Plein écran" },
        { type: "separator" },
        { role: "zoomIn", label: "Zoom avant" },
        { role: "zoomOut", label: "Zoom arrière" },
        { role: "resetZoom", label: "Taille réelle" },
        ...(opts.devTools
          ? [
              { type: "separator" } as const,
              { role: "toggleDevTools", label: "Outils de développement" } as const,
            ]
          : []),
      ],
    },
    {
      label: "Aide",
      role: "help",
      submenu: [{ label: `À propos de ${PRODUCT_NAME}`, click: () => actions.about() }],
    },
  );
  return template;
}

/** The text of the « À propos » box. */
export function aboutDetail(v: {
  version: string;
  electron?: string;
  chrome?: string;
  node?: string;
}): string {
  const lines = [
    `${PRODUCT_NAME}, version ${v.version}`,
    "Le guichet unique hors ligne des mairies.",
    "",
    ...(v.electron ? [`Electron ${v.electron}`] : []),
    ...(v.chrome ? [`Chromium ${v.chrome}`] : []),
    ...(v.node ? [`Node.js ${v.node}`] : []),
  ];
  return lines.join("\n").trimEnd();
}
