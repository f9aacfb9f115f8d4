/* biome-ignore-all lint: ES5 spliced into validate_doc_update functions, see validate-doc-update.ts */
/* biome-ignore-all format: the formatter would add trailing commas in calls, which ES5 engines reject */

// Rules for a request database (main or sensitive). CONFIG comes from the domain:
// schema, TRANSITIONS, role names, status labels, the database's service.

function forbid(reason) {
  throw { forbidden: reason };
}

function actingRoles(couchRoles, names, servicePrefix) {
  var acting = {};
  var role;
  var i;
  for (role in names) if (hasOwn(names, role) && couchRoles.indexOf(names[role]) !== -1) acting[role] = true;
  acting.services = {};
  for (i = 0; i < couchRoles.length; i++) {
    if (String(couchRoles[i]).indexOf(servicePrefix) === 0) acting.services[String(couchRoles[i]).slice(servicePrefix.length)] = true;
  }
  if (couchRoles.indexOf("_admin") !== -1) {
    acting.admin = true;
    acting.server = true;
  }
  // Admins act as supervisors (roles.ts: rolesFromCouch).
  if (acting.admin) acting.supervisor = true;
  return acting;
}

function isoInstant(at) {
  // Same instant as Date.parse in V8 for the schema's date-time pattern (milliseconds truncated),
  // computed by hand so every JavaScript engine orders events alike.
  var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(at);
  var d;
  var ms;
  var offset = 0;
  if (!m) return NaN;
  ms = m[7] ? Number((m[7] + "00").slice(0, 3)) : 0;
  d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), ms);
  if (m[8]) offset = (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60000;
  return d.getTime() - offset;
}

// The events in history.ts compareEvents order (time, then id), each instant computed once.
function sortedEvents(events) {
  var keyed = [];
  var out = [];
  var i;
  for (i = 0; i < events.length; i++) keyed.push({ e: events[i], t: isoInstant(events[i].at) });
  keyed.sort(function (a, b) {
    if (a.e.at !== b.e.at) return a.t - b.t || (a.e.at < b.e.at ? -1 : 1);
    return a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0;
  });
  for (i = 0; i < keyed.length; i++) out.push(keyed[i].e);
  return out;
}

// history.ts project(), without the deadline part (dueOn and outcome need the calendar).
function projection(sorted, openStatuses) {
  var p = { status: "received", service: "", assignee: "", implicitDecision: "none", arSent: false };
  var i;
  var e;
  for (i = 0; i < sorted.length; i++) {
    e = sorted[i];
    if (e.kind === "created") {
      if (!p.service) p.service = e.service;
    } else if (e.kind === "demarche_chosen") {
      p.service = e.service;
      p.assignee = "";
      if (p.status === "received") p.status = "assigned";
    } else if (e.kind === "assigned") {
      p.service = e.service;
      p.assignee = e.assignee;
      if (p.status === "received") p.status = "assigned";
    } else if (e.kind === "status") {
      p.status = e.to;
    } else if (e.kind === "implicit_decision") {
      p.implicitDecision = e.outcome;
    } else if (e.kind === "ar_sent") {
      p.arSent = true;
    }
  }
  p.open = openStatuses.indexOf(p.status) !== -1;
  return p;
}

// history.ts scrubEvent: what anonymisation may do to an existing event.
function scrubbed(e) {
  var out = {};
  var k;
  for (k in e) if (hasOwn(e, k)) out[k] = e[k];
  if (e.kind === "note") out.text = "—";
  else if (e.kind === "status") {
    delete out.reason;
    delete out.missingPieces;
    delete out.answer;
    delete out.forwardedTo;
  } else if (e.kind === "ar_sent") delete out.to;
  else if (e.kind === "registration_sent") out.to = "";
  else if (e.kind === "message_in") {
    out.from = "";
    out.subject = "—";
    out.text = "—";
    out.attachments = [];
  } else if (e.kind === "message_out") {
    out.to = "";
    out.subject = "—";
    out.text = "—";
  } else if (e.kind === "message_sent") out.to = "";
  return out;
}

function checkServices(doc, C) {
  var i;
  var e;
  var places = [["service", doc.service]];
  for (i = 0; i < doc.events.length; i++) {
    e = doc.events[i];
    if (e.kind === "created" || e.kind === "assigned" || e.kind === "demarche_chosen") places.push(["events." + i + ".service", e.service]);
  }
  for (i = 0; i < places.length; i++) {
    if (C.service === null && C.sensitiveServices.indexOf(places[i][1]) !== -1) {
      forbid(places[i][0] + " : le service " + quoted(places[i][1]) + " est sensible, ses demandes ont leur propre base.");
    }
    if (C.service !== null && places[i][1] !== C.service) {
      forbid(places[i][0] + " : cette base est réservée au service " + quoted(C.service) + ".");
    }
  }
}

function checkContentUnchanged(newDoc, oldDoc, C, anonymising) {
  var keys = Object.keys(oldDoc);
  var extra = Object.keys(newDoc);
  var i;
  var k;
  // The new document's own members after the old one's, each once.
  for (i = 0; i < extra.length; i++) if (!hasOwn(oldDoc, extra[i])) keys.push(extra[i]);
  for (i = 0; i < keys.length; i++) {
    k = keys[i];
    if (k.charAt(0) === "_" || k === "events" || k === "anonymised") continue;
    if (C.projectionFields.indexOf(k) !== -1) continue;
    if (CHOSEN_FIELDS.indexOf(k) !== -1) continue;
    if (anonymising && C.personalFields.indexOf(k) !== -1) continue;
    if (deepEqual(oldDoc[k], newDoc[k])) continue;
    if (anonymising) forbid(k + " : l'anonymisation ne retire que les données personnelles, ce champ reste inchangé.");
    forbid(k + " : ce champ ne peut plus être modifié après la création de la demande.");
  }
}

// history.ts withChosenDemarche: the démarche, its version and its rule follow the agent's latest
// choice (a demarche_chosen event); without one they stay as created.
var CHOSEN_FIELDS = ["demarche", "demarcheVersion", "rule"];

function checkChosenDemarche(newDoc, oldDoc, sorted) {
  var chosen = null;
  var i;
  var k;
  for (i = 0; i < sorted.length; i++) if (sorted[i].kind === "demarche_chosen") chosen = sorted[i];
  for (i = 0; i < CHOSEN_FIELDS.length; i++) {
    k = CHOSEN_FIELDS[i];
    if (chosen !== null && !deepEqual(newDoc[k], chosen[k])) {
      forbid(k + " : doit être celui de la dernière démarche choisie (" + quoted(chosen.demarche) + ").");
    }
    if (chosen === null && oldDoc && !deepEqual(newDoc[k], oldDoc[k])) {
      forbid(k + " : ce champ ne change que par le choix d'une démarche (événement « demarche_chosen »).");
    }
  }
}

function checkHistoryKept(newDoc, oldDoc, anonymising) {
  var byId = {};
  var i;
  var e;
  var kept;
  for (i = 0; i < newDoc.events.length; i++) byId[newDoc.events[i].id] = i;
  for (i = 0; i < oldDoc.events.length; i++) {
    e = oldDoc.events[i];
    if (!hasOwn(byId, e.id)) {
      forbid("events : l'événement " + quoted(e.id) + " (" + e.kind + ") a été retiré de l'historique.");
    }
    kept = newDoc.events[byId[e.id]];
    if (!deepEqual(kept, e) && !(anonymising && deepEqual(kept, scrubbed(e)))) {
      forbid("events." + byId[e.id] + " : l'événement " + quoted(e.id) + " a été modifié, l'historique ne se réécrit pas.");
    }
  }
}

function transitionError(e, acting, C) {
  var allowed = C.transitions[e.from] && C.transitions[e.from][e.to];
  var move = quoted(C.statusLabels[e.from]) + " à " + quoted(C.statusLabels[e.to]);
  var j;
  if (!allowed) return "impossible de passer une demande " + move + ".";
  for (j = 0; j < allowed.length; j++) if (acting[allowed[j]]) return null;
  return "votre rôle ne permet pas de passer une demande " + move + ".";
}

// roles.ts rolesOn: a service agent acts as such only on their own services' requests.
function actingOn(acting, service, C) {
  var out = {};
  var k;
  for (k in acting) if (hasOwn(acting, k)) out[k] = acting[k];
  if (out.service_agent && !(acting.services && acting.services[service])) delete out.service_agent;
  return out;
}

function anyRole(acting, roles) {
  var j;
  for (j = 0; j < roles.length; j++) if (acting[roles[j]]) return true;
  return false;
}

function checkNewEvents(newDoc, oldDoc, name, acting, C) {
  var old = {};
  var seen = {};
  var created = 0;
  var i;
  var e;
  var err;
  var onThis = actingOn(acting, oldDoc ? oldDoc.service : newDoc.service, C);
  if (oldDoc) for (i = 0; i < oldDoc.events.length; i++) old[oldDoc.events[i].id] = true;
  for (i = 0; i < newDoc.events.length; i++) {
    e = newDoc.events[i];
    if (hasOwn(seen, e.id)) forbid("events." + i + " : l'événement " + quoted(e.id) + " apparaît deux fois.");
    seen[e.id] = true;
    if (e.kind === "created") created++;
    if (hasOwn(old, e.id)) continue;
    if (acting.relay) continue;
    if (e.by !== name) forbid("events." + i + ".by : auteur " + quoted(e.by) + " falsifié, vous êtes " + quoted(name) + ".");
    if (e.kind === "created" && oldDoc) forbid("events." + i + " : un événement « created » ne s'ajoute qu'à la création.");
    if (e.kind === "status") {
      err = transitionError(e, onThis, C);
      if (err !== null) forbid("events." + i + " : " + err);
      // L114-5: a request for pieces lists them and sets the time given to produce them
      // (the SVR suspension ends with it). Older events without it stay as they are.
      if (e.to === "incomplete" && !(e.missingPieces && e.missingPieces.length > 0 && e.piecesDueOn)) {
        forbid("events." + i + " : une demande de pièces indique les pièces manquantes et la date limite pour les produire (L114-5).");
      }
    }
    if (e.kind === "assigned" && !acting.server && !anyRole(onThis, C.assignRoles)) {
      forbid("events." + i + " : votre rôle ne permet pas d'attribuer une demande.");
    }
    if (e.kind === "demarche_chosen" && !acting.server && !anyRole(onThis, C.assignRoles)) {
      forbid("events." + i + " : votre rôle ne permet pas de choisir la démarche d'une demande.");
    }
    if (e.kind === "assigned" && !acting.server) {
      err = assigneeError(e, C.agents);
      if (err !== null) forbid("events." + i + ".assignee : " + err);
    }
    if (e.kind === "media_published") checkMediaPublished(newDoc, e, i, onThis);
    if (e.kind === "application_filed" && (oldDoc || !acting.portal)) {
      forbid("events." + i + " : seul le portail indique, à la création, l'application qui a déposé la demande.");
    }
  }
  if (created !== 1) forbid("events : une demande a exactement un événement « created » (ici " + created + ").");
}

// C.agents: the commune's directory (active agents -> their services), null while it is empty.
function assigneeError(e, agents) {
  if (!e.assignee || agents === null) return null;
  if (!hasOwn(agents, e.assignee)) {
    return "l'agent " + quoted(e.assignee) + " n'est pas dans l'annuaire des agents de la commune (ou son compte est désactivé).";
  }
  if (agents[e.assignee].indexOf(e.service) < 0) {
    return "l'agent " + quoted(e.assignee) + " ne fait pas partie du service " + quoted(e.service) + ".";
  }
  return null;
}

// Open311 shows a photo (media_url) only once a member of staff has checked it.
function checkMediaPublished(doc, e, i, onThis) {
  var j;
  var found = false;
  if (!anyRole(onThis, ["agent", "service_agent", "supervisor"])) {
    forbid("events." + i + " : seuls les agents et les encadrants publient une photo.");
  }
  for (j = 0; j < doc.attachments.length; j++) {
    if (doc.attachments[j].sha256 === e.sha256 && doc.attachments[j].mime.indexOf("image/") === 0) found = true;
  }
  if (!found) forbid("events." + i + " : cette photo n'est pas jointe à la demande.");
}

function checkProjection(doc, C, sorted) {
  var p = projection(sorted, C.openStatuses);
  var fields = ["status", "service", "assignee", "open", "arSent", "implicitDecision"];
  var i;
  var f;
  for (i = 0; i < fields.length; i++) {
    f = fields[i];
    if (!deepEqual(doc[f], p[f])) {
      forbid(f + " : " + quoted(doc[f]) + " ne correspond pas à l'historique des événements (" + quoted(p[f]) + " attendu).");
    }
  }
}

function checkAnonymisation(newDoc, previous, acting) {
  var anonymising = newDoc.anonymised === true && !(previous && previous.anonymised === true);
  var hasEvent = false;
  var i;
  if (previous && previous.anonymised === true && newDoc.anonymised !== true) {
    forbid("anonymised : une demande anonymisée ne peut pas redevenir nominative.");
  }
  if (anonymising && !(acting.supervisor || acting.server)) {
    forbid("anonymised : seuls le serveur, les encadrants et les administrateurs anonymisent une demande.");
  }
  for (i = 0; i < newDoc.events.length; i++) if (newDoc.events[i].kind === "anonymised") hasEvent = true;
  if (newDoc.anonymised && !hasEvent) forbid("anonymised : une demande anonymisée porte un événement « anonymised ».");
  if (!newDoc.anonymised && hasEvent) forbid("anonymised : l'historique contient un événement « anonymised ».");
  return anonymising;
}

function checkCreation(newDoc, name, acting) {
  var staff = acting.agent || acting.service_agent || acting.supervisor;
  if (newDoc.createdBy !== name && !acting.relay) {
    forbid("createdBy : doit être votre identifiant (" + quoted(name) + "), pas " + quoted(newDoc.createdBy) + ".");
  }
  if (newDoc.channel === "en_ligne" && !acting.portal) {
    forbid("channel : « en_ligne » est réservé aux demandes déposées sur le portail en ligne.");
  }
  if (newDoc.channel !== "en_ligne" && acting.portal && !staff) {
    forbid("channel : le portail n'enregistre que des demandes « en_ligne ».");
  }
}

function validateRequest(newDoc, oldDoc, userCtx, C) {
  var couchRoles = (userCtx && userCtx.roles) || [];
  var name = (userCtx && userCtx.name) || null;
  var acting = actingRoles(couchRoles, C.roles, C.servicePrefix);
  var previous = oldDoc && !oldDoc._deleted ? oldDoc : null;
  // The server relays what others wrote: a counter's hand-over into a sensitive database, having
  // checked the author, the creation and the transitions itself (sync-server/api/handover.ts);
  // and, in any request database, the events of losing sibling revisions that the conflict merger
  // writes on an existing request (sync-server/jobs/conflict-merger.ts: each sibling passed these
  // rules when it was written). It never creates a request in another's name in the main
  // database. Schema, content, history and projection checks still apply.
  acting.relay = acting.server === true && (C.service !== null || previous !== null);
  var err;
  var anonymising;
  var sorted;
  if (name === null && couchRoles.indexOf("_admin") === -1) {
    throw { unauthorized: "Connectez-vous pour enregistrer une demande." };
  }
  if (String(newDoc._id).indexOf("_design/") === 0) {
    if (!acting.admin) forbid("_id : seuls les administrateurs modifient les documents de conception.");
    return;
  }
  if (newDoc._deleted) {
    if (!(acting.supervisor || acting.server)) {
      forbid("_deleted : seuls les encadrants, les administrateurs et le serveur suppriment une demande.");
    }
    return;
  }
  if (newDoc.type !== "request") forbid("type : cette base ne contient que des demandes (type « request »).");
  // Files of a request go through the server (type checked by content, size capped), never as
  // CouchDB attachments: these would slip any file past those checks.
  if (newDoc._attachments !== undefined) forbid("_attachments : les fichiers d'une demande passent par le serveur.");
  err = checkRequestDoc(newDoc);
  if (err !== null) forbid(err);
  if (newDoc._id !== newDoc.id) forbid("id : doit être identique à _id (" + quoted(newDoc._id) + ").");
  if (newDoc.tracking !== newDoc.id) forbid("tracking : doit être identique à id (" + quoted(newDoc.id) + ").");
  if (newDoc.commune !== C.commune) forbid("commune : cette base appartient à la commune " + quoted(C.commune) + ".");
  if (C.service === null && newDoc.sensitive !== false) {
    forbid("sensitive : une demande sensible ne peut pas être enregistrée dans la base principale.");
  }
  if (C.service !== null && newDoc.sensitive !== true) {
    forbid("sensitive : cette base ne reçoit que des demandes sensibles du service " + quoted(C.service) + ".");
  }
  checkServices(newDoc, C);
  anonymising = checkAnonymisation(newDoc, previous, acting);
  if (previous) {
    checkContentUnchanged(newDoc, previous, C, anonymising);
    checkHistoryKept(newDoc, previous, anonymising);
  } else {
    checkCreation(newDoc, name, acting);
  }
  checkNewEvents(newDoc, previous, name, acting, C);
  sorted = sortedEvents(newDoc.events);
  checkChosenDemarche(newDoc, previous, sorted);
  checkProjection(newDoc, C, sorted);
}
