import { createHash } from "node:crypto";
import { html, raw, type SafeHtml } from "../http/html";

/**
 * One small stylesheet, inline (no extra request on a slow line) and allowed by its CSP hash.
 * High contrast, large touch targets, visible focus, readable on a 320 px wide phone.
 */
export const PORTAL_CSS = `
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#161616;background:#fff}
header,main,footer{max-width:40rem;margin:0 auto;padding:0 1rem}
header{border-bottom:4px solid #0b4f9c;padding-top:.75rem;padding-bottom:.5rem}
header a{color:#161616;text-decoration:none;font-weight:700}
footer{margin-top:2rem;border-top:1px solid #6b6b6b;padding-top:.5rem;padding-bottom:1rem;font-size:.95rem}
h1{font-size:1.5rem;line-height:1.25}
h2{font-size:1.2rem;margin-top:1.75rem}
a{color:#0b4f9c}
a:focus,input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #161616;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.25rem .5rem}
label,legend{display:block;font-weight:600;margin-top:1rem}
.aide{display:block;color:#3a3a3a;font-size:.95rem;margin:.15rem 0}
input[type=text],input[type=email],input[type=tel],input[type=date],input[type=number],select,textarea{display:block;width:100%;font:inherit;padding:.5rem;border:2px solid #3a3a3a;border-radius:4px;background:#fff;color:#161616}
textarea{min-height:8rem}
input[type=checkbox]{width:1.4rem;height:1.4rem;vertical-align:middle;margin-right:.5rem}
.case{font-weight:400;display:flex;align-items:center}
fieldset{border:0;padding:0;margin:1.5rem 0 0}
legend{font-size:1.2rem;font-weight:700}
button{font:inherit;font-weight:700;color:#fff;background:#0b4f9c;border:0;border-radius:4px;padding:.75rem 1.25rem;margin-top:1.5rem;min-height:44px;cursor:pointer}
.erreur{color:#b00020;font-weight:600;margin:.25rem 0}
[aria-invalid=true]{border-color:#b00020!important;border-width:3px!important}
.resume{border:3px solid #b00020;padding:.5rem 1rem;margin:1rem 0}
.ok{border:3px solid #1b6e20;padding:.5rem 1rem;margin:1rem 0}
.numero{font-size:1.75rem;font-weight:700;letter-spacing:.08em;font-family:ui-monospace,Menlo,Consolas,monospace}
ul.liste{padding-left:1.25rem}ul.liste li{margin:.4rem 0}
dl{margin:1rem 0}dt{font-weight:600;margin-top:.5rem}dd{margin:0}
`.trim();

export const PORTAL_CSS_HASH = createHash("sha256").update(PORTAL_CSS).digest("base64");

export type PageOptions = { title: string; commune: string; body: SafeHtml; hasErrors?: boolean };

/** The page shell: French, a skip link, the commune's name, no script at all. */
export function page(o: PageOptions): string {
  const title = `${o.hasErrors ? "Erreur : " : ""}${o.title} – ${o.commune}`;
  return `<!doctype html>${html`<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${raw(PORTAL_CSS)}</style>
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
<header><a href="/">${o.commune}</a> – démarches en ligne</header>
<main id="contenu">
${o.body}
</main>
<footer><a href="/">Toutes les démarches</a> · <a href="/suivi">Suivre une demande</a></footer>
</body>
</html>`}`;
}
