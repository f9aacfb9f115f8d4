import { describe, expect, it } from "vitest";
import { servedContentType, sniffFileType } from "./file-type";

const bytes = (...b: number[]) => new Uint8Array(b);
const text = (s: string) => new TextEncoder().encode(s);

describe("sniffFileType", () => {
  it("recognises PDF, JPEG and PNG by their signature", () => {
    expect(sniffFileType(text("%PDF-1.7\n..."))).toBe("application/pdf");
    expect(sniffFileType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe("image/jpeg");
    expect(sniffFileType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe("image/png");
  });

  it("refuses anything else, truncated signatures included", () => {
    expect(sniffFileType(text("<svg onload=alert(1)>"))).toBeNull();
    expect(sniffFileType(text("%PDF"))).toBeNull();
    expect(sniffFileType(bytes(0x89, 0x50, 0x4e, 0x47))).toBeNull();
    expect(sniffFileType(bytes(0xff, 0xd8))).toBeNull();
    expect(sniffFileType(bytes())).toBeNull();
  });
});

describe("servedContentType", () => {
  it("names the built app's files by their extension, whatever its case", () => {
    expect(servedContentType("/srv/dist/renderer/index.html")).toBe("text/html; charset=utf-8");
    expect(servedContentType("assets/index-3f9a1c2b.JS")).toBe("text/javascript; charset=utf-8");
    expect(servedContentType("manifest.webmanifest")).toBe("application/manifest+json");
    expect(servedContentType("icon.png")).toBe("image/png");
  });

  it("serves anything unknown as bytes, names that look like object keys included", () => {
    expect(servedContentType("notes.exe")).toBe("application/octet-stream");
    expect(servedContentType("README")).toBe("application/octet-stream");
    expect(servedContentType("x.constructor")).toBe("application/octet-stream");
    expect(servedContentType("x.toString")).toBe("application/octet-stream");
  });
});
