/* biome-ignore-all lint: ES5 spliced into validate_doc_update functions, see validate-doc-update.ts */
/* biome-ignore-all format: the formatter would add trailing commas in calls, which ES5 engines reject */

// Rules for a commune's -config database: every member reads it, only admins write it.
// Démarches are checked against their schema; a démarche's version only goes up, and an archived
// version (what old requests are displayed with) never changes. The server admin (bootstrap,
// which may write a given catalogue back) is exempt from the version rules, not from the schema.
// `secObj` is validate_doc_update's own argument, passed through (see compose): membership of this
// commune is checked here as well, so a database admin role alone never writes another's -config.

function isMember(couchRoles, sec) {
  var roles = (sec && sec.members && sec.members.roles) || [];
  var i;
  if (roles.length === 0) return true;
  for (i = 0; i < roles.length; i++) if (couchRoles.indexOf(roles[i]) !== -1) return true;
  return false;
}

function validateConfig(newDoc, oldDoc, userCtx, C, secObj) {
  var couchRoles = (userCtx && userCtx.roles) || [];
  var name = (userCtx && userCtx.name) || null;
  var serverAdmin = couchRoles.indexOf("_admin") !== -1;
  var admin = serverAdmin || couchRoles.indexOf(C.roles.admin) !== -1;
  var previous = oldDoc && !oldDoc._deleted ? oldDoc : null;
  var err;
  var k;
  if (name === null && !admin) throw { unauthorized: "Connectez-vous pour modifier la configuration." };
  if (!admin) throw { forbidden: "Seuls les administrateurs modifient la configuration de la commune." };
  if (!serverAdmin && !isMember(couchRoles, secObj)) {
    throw { forbidden: "Vous administrez une autre commune : cette configuration ne vous est pas ouverte." };
  }
  if (String(newDoc._id).indexOf("_design/") === 0) return;
  if (newDoc._deleted) {
    if (previous && previous.type === "demarche_version" && !serverAdmin) {
      throw { forbidden: "Une version archivée d'une démarche ne se supprime pas : des demandes y renvoient." };
    }
    if (previous && previous.type === "config_version" && !serverAdmin) {
      throw { forbidden: "L'historique de la configuration ne se supprime pas." };
    }
    return;
  }
  if (C.types.indexOf(newDoc.type) === -1) {
    throw { forbidden: "type : valeur non autorisée (valeurs possibles : " + C.types.join(", ") + ")." };
  }
  if (newDoc.type === "notice_templates" && newDoc._id !== "notices:" + newDoc.demarche) {
    throw { forbidden: "_id : " + quoted("notices:" + newDoc.demarche) + " attendu." };
  }
  if (newDoc.type === "commune" || newDoc.type === "agents" || newDoc.type === "config_version" || newDoc.type === "notice_templates") {
    validateVersioned(newDoc, previous, serverAdmin);
    return;
  }
  if (newDoc.type !== "demarche" && newDoc.type !== "demarche_version") return;
  err = checkDemarcheDoc(newDoc);
  if (err !== null) throw { forbidden: err };
  if (newDoc.type === "demarche" && newDoc._id !== "demarche:" + newDoc.id) {
    throw { forbidden: "_id : " + quoted("demarche:" + newDoc.id) + " attendu." };
  }
  if (newDoc.type === "demarche_version" && newDoc._id !== "demarche-version:" + newDoc.id + "@" + newDoc.version) {
    throw { forbidden: "_id : " + quoted("demarche-version:" + newDoc.id + "@" + newDoc.version) + " attendu." };
  }
  if (!previous || serverAdmin) return;
  if (previous.type !== newDoc.type) throw { forbidden: "type : ne change pas." };
  if (newDoc.type === "demarche" && !(newDoc.version > previous.version)) {
    throw { forbidden: "version : doit augmenter à chaque modification (version actuelle " + previous.version + ")." };
  }
  if (newDoc.type === "demarche_version") {
    for (k in newDoc) {
      if (hasOwn(newDoc, k) && k.charAt(0) !== "_" && !deepEqual(newDoc[k], previous[k])) {
        throw { forbidden: k + " : une version archivée d'une démarche ne se modifie plus." };
      }
    }
  }
}

// The commune's identity and agent directory: fixed ids, versions that only go up; their history
// (config_version, one per replaced version) is written once and never changed.
function validateVersioned(newDoc, previous, serverAdmin) {
  var k;
  if (newDoc.type === "commune" && newDoc._id !== "commune") throw { forbidden: "_id : \"commune\" attendu." };
  if (newDoc.type === "agents" && newDoc._id !== "agents") throw { forbidden: "_id : \"agents\" attendu." };
  if (newDoc.type === "config_version") {
    if (typeof newDoc.of !== "string" || typeof newDoc.version !== "number" || newDoc._id !== "history:" + newDoc.of + "@" + newDoc.version) {
      throw { forbidden: "_id : \"history:<document>@<version>\" attendu." };
    }
    if (!previous || serverAdmin) return;
    for (k in newDoc) {
      if (hasOwn(newDoc, k) && k.charAt(0) !== "_" && !deepEqual(newDoc[k], previous[k])) {
        throw { forbidden: k + " : une version passée de la configuration ne se modifie plus." };
      }
    }
    return;
  }
  if (!previous || serverAdmin || typeof previous.version !== "number") return;
  if (previous.type !== newDoc.type) throw { forbidden: "type : ne change pas." };
  if (!(newDoc.version > previous.version)) {
    throw { forbidden: "version : doit augmenter à chaque modification (version actuelle " + previous.version + ")." };
  }
}
