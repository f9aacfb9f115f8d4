import { describe, expect, it } from "vitest";
import { ensurePdfExtension, MAX_PDF_NAME_LENGTH, sanitizePdfName } from "./pdf-name";

describe("sanitizePdfName", () => {
  it.each([
    ["AR 2025-0001", "AR 2025-0001.pdf"],
    ["accusé de réception.pdf", "accusé de réception.pdf"],
    ["AR.PDF", "AR.pdf"],
    ["x.pdf.pdf", "x.pdf"],
    ["../../../etc/passwd", "passwd.pdf"],
    ["..\\..\\Windows\\System32\\evil", "evil.pdf"],
    ["C:\\Users\\Public\\evil.exe", "evil.exe.pdf"],
    ["/tmp/", "accuse-de-reception.pdf"],
    ["..", "accuse-de-reception.pdf"],
    [".bashrc", "bashrc.pdf"],
    ["-rf", "rf.pdf"],
    ['a<b>c:d"e|f?g*h', "a-b-c-d-e-f-g-h.pdf"],
    ["ligne\nnouvelle\u0000", "ligne-nouvelle-.pdf"],
    ["CON", "accuse-de-reception-CON.pdf"],
    ["lpt1.txt", "accuse-de-reception-lpt1.txt.pdf"],
    ["fin. . .", "fin.pdf"],
    ["", "accuse-de-reception.pdf"],
    ["   ", "accuse-de-reception.pdf"],
  ])("%j → %j", (input, expected) => {
    expect(sanitizePdfName(input)).toBe(expected);
  });

  it("limits the length", () => {
    const name = sanitizePdfName("é".repeat(500));
    expect([...name].length).toBe(MAX_PDF_NAME_LENGTH);
    expect(name.endsWith(".pdf")).toBe(true);
  });
});

describe("ensurePdfExtension", () => {
  it("adds .pdf when missing", () => {
    expect(ensurePdfExtension("/home/agent/AR")).toBe("/home/agent/AR.pdf");
    expect(ensurePdfExtension("/home/agent/AR.PDF")).toBe("/home/agent/AR.PDF");
    expect(ensurePdfExtension("C:\\AR.exe")).toBe("C:\\AR.exe.pdf");
  });
});
