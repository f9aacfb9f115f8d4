import { z } from "zod";

// The app's CSP forbids eval. zod decides when each schema is built whether to compile a fast
// path with Function() (and the browser logs a CSP violation for the probe): turn that off before
// any schema module loads, hence this module is main.tsx's first import.
z.config({ jitless: true });
