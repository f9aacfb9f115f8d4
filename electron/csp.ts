import { checkSyncOrigin } from "./url-policy";

export type CspOptions = {
  /** Sync server and CouchDB origins the renderer may fetch from. */
  connectOrigins: readonly string[];
  /**
   * 'unsafe-inline' styles. Off: React's `style={…}` goes through the CSSOM, which CSP does not
   * police; only <style> elements or style="" attributes in markup would need it.
   */
  inlineStyles?: boolean;
};

/**
 * The Content-Security-Policy of every app:// response. Origins are re-derived from parsed URLs, so
 * a value such as "https://a.fr; script-src *" cannot add a directive: it is dropped.
 */
export function buildCsp({ connectOrigins, inlineStyles = false }: CspOptions): string {
  const origins = [
    ...new Set(
      connectOrigins.flatMap((o) => {
        const checked = checkSyncOrigin(o);
        return checked.ok ? [checked.origin] : [];
      }),
    ),
  ];
  const directives: [string, string[]][] = [
    ["default-src", ["'self'"]],
    ["script-src", ["'self'"]],
    ["style-src", inlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ["img-src", ["'self'", "data:", "blob:"]],
    ["font-src", ["'self'"]],
    ["connect-src", ["'self'", ...origins]],
    ["worker-src", ["'self'"]],
    ["object-src", ["'none'"]],
    ["frame-src", ["'none'"]],
    ["form-action", ["'none'"]],
    ["frame-ancestors", ["'none'"]],
    ["base-uri", ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(" ")}`).join("; ");
}
