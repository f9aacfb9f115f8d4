/* biome-ignore-all lint: ES5 spliced into validate_doc_update functions, see validate-doc-update.ts */
/* biome-ignore-all format: the formatter would add trailing commas in calls, which ES5 engines reject */

// Rules for a commune's -log database (immediate answers at the counter): the author writes
// the entry once; only supervisors, admins and the server delete (retention).

function validateLog(newDoc, oldDoc, userCtx, C) {
  var couchRoles = (userCtx && userCtx.roles) || [];
  var name = (userCtx && userCtx.name) || null;
  var serverAdmin = couchRoles.indexOf("_admin") !== -1;
  var admin = serverAdmin || couchRoles.indexOf(C.roles.admin) !== -1;
  var privileged = admin || couchRoles.indexOf(C.roles.supervisor) !== -1 || couchRoles.indexOf(C.roles.server) !== -1;
  var err;
  var previous = oldDoc && !oldDoc._deleted ? oldDoc : null;
  var k;
  if (name === null && !serverAdmin) throw { unauthorized: "Connectez-vous pour enregistrer une réponse immédiate." };
  if (String(newDoc._id).indexOf("_design/") === 0) {
    if (!admin) throw { forbidden: "_id : seuls les administrateurs modifient les documents de conception." };
    return;
  }
  if (newDoc._deleted) {
    if (!privileged) throw { forbidden: "_deleted : seuls les encadrants, les administrateurs et le serveur suppriment." };
    return;
  }
  err = schemaError(C.schema, newDoc, "", true);
  if (err !== null) throw { forbidden: err };
  if (newDoc.by !== name) {
    throw { forbidden: "by : auteur " + quoted(newDoc.by) + " falsifié, vous êtes " + quoted(name) + "." };
  }
  if (previous) {
    for (k in newDoc) {
      if (hasOwn(newDoc, k) && k.charAt(0) !== "_" && !deepEqual(newDoc[k], previous[k])) {
        throw { forbidden: k + " : une réponse immédiate enregistrée ne se modifie plus." };
      }
    }
  }
}
