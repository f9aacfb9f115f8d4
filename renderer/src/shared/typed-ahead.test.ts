import { describe, expect, it } from "vitest";
import { TypedAhead, type TypedKey } from "./typed-ahead";

const k = (key: string, mods: Partial<TypedKey> = {}): TypedKey => ({
  key,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

describe("keys typed before the search box has the focus", () => {
  it("are kept in order, corrections included, and given once", () => {
    const t = new TypedAhead();
    t.start(0);
    for (const key of ["m", "u", "x", "Backspace", "l", "é"]) expect(t.key(k(key), 10)).toBe(true);
    expect(t.peek()).toBe("mulé");
    expect(t.peek()).toBe("mulé");
    expect(t.take()).toBe("mulé");
    expect(t.peek()).toBe("");
    expect(t.take()).toBe("");
    expect(t.key(k("r"), 20)).toBe(false);
  });

  it("are never caught without the shortcut, after the field took them, or once too late", () => {
    const t = new TypedAhead();
    expect(t.key(k("a"), 0)).toBe(false);
    t.start(0);
    expect(t.key(k("a"), 1999)).toBe(true);
    expect(t.key(k("b"), 2001)).toBe(false);
    expect(t.key(k("c"), 2002)).toBe(false);
    expect(t.take()).toBe("");
  });

  it("leave shortcuts, named keys and Escape alone (Escape stops catching)", () => {
    const t = new TypedAhead();
    t.start(0);
    expect(t.key(k("n", { altKey: true }), 1)).toBe(false);
    expect(t.key(k("c", { ctrlKey: true }), 1)).toBe(false);
    expect(t.key(k("Enter"), 1)).toBe(false);
    expect(t.key(k("ArrowLeft"), 1)).toBe(false);
    expect(t.key(k("😀"), 1)).toBe(true);
    expect(t.key(k("Escape"), 1)).toBe(false);
    expect(t.key(k("z"), 2)).toBe(false);
    expect(t.take()).toBe("");
  });
});
