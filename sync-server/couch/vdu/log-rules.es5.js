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
  if (newDoc.type === "workstation_status" || String(newDoc._id).indexOf("workstation-status:") === 0) {
    validateWorkstationStatus(newDoc, previous, name, couchRoles, C);
    return;
  }
  err = checkContactLogDoc(newDoc);
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

// A workstation's status (the fleet view): written by the agent logged in on it, in its own name;
// only the server marks it revoked, and a revoked workstation's status no longer changes. Which
// workstation may write which status is checked by the gateway (the database cannot see it).
function validateWorkstationStatus(newDoc, previous, name, couchRoles, C) {
  var server = couchRoles.indexOf("_admin") !== -1 || couchRoles.indexOf(C.roles.server) !== -1;
  var err = checkWorkstationStatusDoc(newDoc);
  if (err !== null) throw { forbidden: err };
  if (newDoc._id !== "workstation-status:" + newDoc.code) {
    throw { forbidden: "_id : « workstation-status:" + newDoc.code + " » attendu pour le poste " + newDoc.code + "." };
  }
  if (server) return;
  if (newDoc.agent !== name) {
    throw { forbidden: "agent : agent " + quoted(newDoc.agent) + " falsifié, vous êtes " + quoted(name) + "." };
  }
  if (previous && previous.revoked) throw { forbidden: "revoked : ce poste est révoqué, son état ne change plus." };
  if (newDoc.revoked) throw { forbidden: "revoked : seul le serveur révoque un poste." };
}
