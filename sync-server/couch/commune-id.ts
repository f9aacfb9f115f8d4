const COMMUNE_ID = /^[a-z0-9][a-z0-9-]{1,39}$/;

/** Ids that would make a CouchDB role name of one commune read as another's (`guichet:commune:x`…). */
const RESERVED_IDS = new Set(["commune", "service", "sensitive", "member"]);

/**
 * Checks a commune id, in French. Besides the shape, refuses ids whose database names could be
 * taken for another commune's: `guichet-<id>-config`, `-log`, `-server`, `-apikeys` and `-s-<service>`
 * belong to commune <id>, so no id may end with `-config`, `-log`, `-server`, `-apikeys` or `-s`,
 * nor contain `-s-`.
 */
export function communeIdProblem(id: string): string | null {
  if (!COMMUNE_ID.test(id)) {
    return `Identifiant de commune « ${id} » invalide : 2 à 40 caractères, minuscules, chiffres et tirets.`;
  }
  if (/-(config|log|server|apikeys|s)$/.test(id) || id.includes("-s-") || RESERVED_IDS.has(id)) {
    return `Identifiant de commune « ${id} » réservé : il ne peut pas finir par -config, -log, -server, -apikeys ou -s, ni contenir -s-, ni valoir commune, service, sensitive ou member.`;
  }
  return null;
}

export function checkCommuneId(id: string): void {
  const problem = communeIdProblem(id);
  if (problem) throw new Error(problem);
}

/** Whether a database name is one of commune `id`'s (main, -config, -log, -server, -apikeys, -s-<service>). */
export function isCommuneDatabase(name: string, id: string): boolean {
  const main = `guichet-${id}`;
  if (name === main) return true;
  if (!name.startsWith(`${main}-`)) return false;
  const rest = name.slice(main.length + 1);
  return (
    rest === "config" ||
    rest === "log" ||
    rest === "server" ||
    rest === "apikeys" ||
    /^s-[a-z0-9_-]+$/.test(rest)
  );
}
