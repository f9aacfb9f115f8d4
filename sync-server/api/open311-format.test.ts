import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { AttachmentMeta, RequestEvent } from "../../domain/request";
import { toXml, xmlList } from "./open311-format";
import { mediaPath, publishedPhoto } from "./open311-media";

const parse = (xml: string) => new XMLParser({ parseTagValue: false }).parse(xml) as Record<string, unknown>;

describe("Open311 XML", () => {
  it("escapes markup, keeps accents, and drops characters XML 1.0 cannot carry", () => {
    const xml = toXml("service_definition", {
      service_code: "a<b>&\"c'",
      description: "Éclairage\u0000 rue\u0007 des Lilas\ttab",
      attributes: [{ code: "x", values: [{ key: "1", name: "Un" }] }],
    });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parse(xml).service_definition as Record<string, unknown>;
    expect(doc.service_code).toBe("a<b>&\"c'");
    expect(doc.description).toBe("Éclairage rue des Lilas\ttab");
    // Nested lists take the specification's item names.
    expect(xml).toContain("<attributes><attribute><code>x</code><values><value><key>1</key>");
  });

  it("writes an empty list as an empty root element, and null as an empty element", () => {
    expect(toXml("service_requests", xmlList("request", []))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><service_requests/>',
    );
    const xml = toXml(
      "service_requests",
      xmlList("request", [{ service_request_id: "AB12-CD34", account_id: null }]),
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain("<account_id/>");
  });
});

describe("published photos", () => {
  const photo: AttachmentMeta = {
    id: "a".repeat(64),
    name: "p.png",
    mime: "image/png",
    size: 10,
    sha256: "a".repeat(64),
  };
  const pdf: AttachmentMeta = {
    ...photo,
    id: "b".repeat(64),
    sha256: "b".repeat(64),
    mime: "application/pdf",
  };
  const published = (sha256: string): RequestEvent => ({
    id: "1-W3B-abc",
    at: "2026-12-01T10:00:00.000Z",
    by: "agent",
    workstation: "K7M",
    kind: "media_published",
    sha256,
  });

  it("shows a photo only once published, never a PDF, and none after anonymisation", () => {
    const base = { events: [] as RequestEvent[], attachments: [photo, pdf], anonymised: false };
    expect(publishedPhoto(base)).toBeUndefined();
    expect(publishedPhoto({ ...base, events: [published(pdf.sha256)] })).toBeUndefined();
    expect(publishedPhoto({ ...base, events: [published(photo.sha256)] })).toEqual(photo);
    expect(publishedPhoto({ ...base, events: [published(photo.sha256)], anonymised: true })).toBeUndefined();
    expect(publishedPhoto({ ...base, attachments: [], events: [published(photo.sha256)] })).toBeUndefined();
    expect(mediaPath("demo", "AB12CD34", photo)).toBe(
      `/open311/v2/media/demo/AB12CD34/${"a".repeat(64)}.png`,
    );
  });
});
