import type { MenuItemConstructorOptions } from "electron";
import { describe, expect, it, vi } from "vitest";
import { aboutDetail, buildMenuTemplate } from "./menu-template";

const actions = () => ({ printAck: vi.fn(), saveAckPdf: vi.fn(), reload: vi.fn(), about: vi.fn() });
const items = (menu: MenuItemConstructorOptions | undefined) =>
  ((menu?.submenu ?? []) as MenuItemConstructorOptions[]).filter((i) => i.type !== "separator");
const click = (item: MenuItemConstructorOptions | undefined) => (item?.click as (() => void) | undefined)?.();

describe("buildMenuTemplate", () => {
  it("has the French menus on Windows and Linux", () => {
    const a = actions();
    const menu = buildMenuTemplate({ platform: "win32", actions: a });
    expect(menu.map((m) => m.label)).toEqual(["Fichier", "Édition", "Affichage", "Aide"]);
    const [fichier, edition, affichage, aide] = menu;
    expect(items(fichier).map((i) => i.label)).toEqual([
      "Imprimer l'accusé…",
      "Enregistrer l'accusé en PDF…",
      "Quitter",
    ]);
    expect(items(fichier)[2]).toMatchObject({ role: "quit" });
    expect(items(edition).map((i) => i.role)).toEqual(["undo", "redo", "cut", "copy", "paste", "selectAll"]);
    expect(items(affichage).map((i) => i.label)).toContain("Recharger");
    expect(items(affichage).find((i) => i.label === "Plein écran")).toMatchObject({
      role: "togglefullscreen",
    });
    expect(items(aide).map((i) => i.label)).toEqual(["À propos de Guichet"]);

    click(items(fichier)[0]);
    click(items(fichier)[1]);
    click(items(affichage)[0]);
    click(items(aide)[0]);
    expect(a.printAck).toHaveBeenCalledOnce();
    expect(a.saveAckPdf).toHaveBeenCalledOnce();
    expect(a.reload).toHaveBeenCalledOnce();
    expect(a.about).toHaveBeenCalledOnce();
  });

  it("shows developer tools only when asked", () => {
    const has = (devTools: boolean) =>
      JSON.stringify(buildMenuTemplate({ platform: "linux", actions: actions(), devTools })).includes(
        "toggleDevTools",
      );
    expect(has(false)).toBe(false);
    expect(has(true)).toBe(true);
  });

  it("puts the application menu first on macOS", () => {
    const menu = buildMenuTemplate({ platform: "darwin", actions: actions() });
    expect(menu[0]?.label).toBe("Guichet");
    expect(items(menu[1]).map((i) => i.label)).not.toContain("Quitter");
  });
});

describe("aboutDetail", () => {
  it("names the version", () => {
    expect(aboutDetail({ version: "0.1.0", electron: "45.4.1" })).toBe(
      "Guichet, version 0.1.0\nLe guichet unique hors ligne des mairies.\n\nElectron 45.4.1",
    );
  });
});
