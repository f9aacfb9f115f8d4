import { describe, expect, it } from "vitest";
import { sniffFileType } from "./file-type";

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
