import { XMLBuilder } from "fast-xml-parser";
import { HttpError } from "../http/errors";
import { send, sendJson } from "../http/respond";
import type { Ctx } from "../http/router";

/**
 * GeoReport v2 answers in its two formats: JSON, and XML (the one the specification requires).
 * Every answer is a list or an object; XML wraps lists in a root element (`services`,
 * `service_requests`…) with one child per item (`service`, `request`…), as the spec's examples do.
 */
export type Open311Format = "json" | "xml";

export const XML_TYPE = "text/xml; charset=utf-8";

/** A GeoReport v2 error: its HTTP status is also the `code` of each `error`. */
export class Open311Error extends HttpError {
  constructor(status: number, descriptions: string[]) {
    super(
      status,
      descriptions.join(" "),
      descriptions.map((message) => ({ field: "", message })),
    );
  }
}

/** `services.xml` → `{ name: "services", format: "xml" }`; anything else is not a GeoReport address. */
export function splitFormat(file: string, what: string): { name: string; format: Open311Format } {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m) throw new Open311Error(404, [`${what} introuvable : ajoutez l'extension .xml ou .json.`]);
  return { name: m[1] ?? "", format: m[2] as Open311Format };
}

/** The format an error is told in: that of the address (XML by default, as the spec wants). */
export function formatOfPath(pathname: string): Open311Format {
  return pathname.endsWith(".json") ? "json" : "xml";
}

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true });

// Characters XML 1.0 cannot carry at all (even escaped): dropped rather than breaking the document.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Lists nested in an answer, and the element of each item in XML (spec examples). */
const ITEM_OF: Record<string, string> = {
  attributes: "attribute",
  values: "value",
  endpoints: "endpoint",
  formats: "format",
};

function xmlSafe(value: unknown): unknown {
  if (typeof value === "string") return value.replace(NOT_XML, "");
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(xmlSafe);
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const item = ITEM_OF[k];
        return [k, item && Array.isArray(v) ? xmlList(item, v.map(xmlSafe)) : xmlSafe(v)];
      }),
    );
  }
  return value;
}

/** An XML document: declaration, then `<root>` holding `value` (an object, or items under `item`). */
export function toXml(root: string, value: unknown): string {
  return builder.build({
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    [root]: xmlSafe(value),
  });
}

/** XML lists: `{ item: [...] }` under the root; an empty list is an empty root. */
export const xmlList = (item: string, items: unknown[]): unknown =>
  items.length > 0 ? { [item]: items } : "";

export type Shape =
  | { kind: "list"; root: string; item: string; items: unknown[] }
  | { kind: "object"; root: string; value: Record<string, unknown> };

export function sendOpen311(ctx: Ctx, format: Open311Format, status: number, shape: Shape): void {
  if (format === "json") {
    sendJson(ctx.res, status, shape.kind === "list" ? shape.items : shape.value);
    return;
  }
  const body = shape.kind === "list" ? xmlList(shape.item, shape.items) : shape.value;
  send(ctx.res, status, XML_TYPE, toXml(shape.root, body));
}

/** GeoReport v2 errors: `[{ code, description }]` or `<errors><error>…</error></errors>`, in French. */
export function renderOpen311Error(ctx: Ctx, err: HttpError): void {
  const items = (err.errors.length > 0 ? err.errors : [{ field: "", message: err.message }]).map((e) => ({
    code: err.status,
    description: e.message,
  }));
  sendOpen311(ctx, formatOfPath(ctx.url.pathname), err.status, {
    kind: "list",
    root: "errors",
    item: "error",
    items,
  });
}
