/* biome-ignore-all lint: ES5 spliced into validate_doc_update functions, see validate-doc-update.ts */
/* biome-ignore-all format: the formatter would add trailing commas in calls, which ES5 engines reject */

// Rules for a commune's -config database: every member reads it, only admins write it.

function validateConfig(newDoc, oldDoc, userCtx, C) {
  var couchRoles = (userCtx && userCtx.roles) || [];
  var name = (userCtx && userCtx.name) || null;
  var admin = couchRoles.indexOf("_admin") !== -1 || couchRoles.indexOf(C.roles.admin) !== -1;
  if (name === null && !admin) throw { unauthorized: "Connectez-vous pour modifier la configuration." };
  if (!admin) throw { forbidden: "Seuls les administrateurs modifient la configuration de la commune." };
  if (newDoc._deleted || String(newDoc._id).indexOf("_design/") === 0) return;
  if (C.types.indexOf(newDoc.type) === -1) {
    throw { forbidden: "type : valeur non autorisée (valeurs possibles : " + C.types.join(", ") + ")." };
  }
}
