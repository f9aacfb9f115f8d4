import { type AgentCard, agentCardSchema } from "../../domain/commune";
import { refreshRequestRules } from "../couch/bootstrap";
import { AGENTS_DOC_ID, parseAgents, parseConfigDocs } from "../couch/config-docs";
import type { Couch } from "../couch/couch";
import { getUserDoc, saveUserDoc } from "../couch/user-docs";
import { addUser, couchRolesFor, userProblems } from "../couch/users";
import { HttpError } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Router } from "../http/router";
import type { Agent } from "../services/agent-auth";
import {
  type AdminAccess,
  checkBaseVersion,
  invalid,
  plainIssues,
  readConfig,
  requireAdmin,
} from "./admin-access";
import { asObject, readJson } from "./json-body";
import { currentVersion, saveVersioned } from "./versioned-config";

export type AgentsAdminDeps = AdminAccess & {
  /** Server-admin connection: accounts live in `_users`, which only a server admin writes. */
  admin: Couch;
  commune: string;
  now: () => Date;
};

const WHAT = "gèrent les agents de la commune";
const CONFLICT = "La liste des agents vient d'être modifiée par quelqu'un d'autre : rechargez-la.";

/**
 * The commune's agents, for its admins: the account (in `_users`, roles computed by users.ts) and
 * the card that letters print (the directory in -config, read by workstations and the server).
 * Only accounts in this commune's directory can be changed here: another commune's are not seen.
 * Disabling removes every role (no database admits the account any more) and keeps the card, so
 * old letters' names stay explainable; enabling again needs a new password.
 */
export function addAgentsAdminApi(r: Router, deps: AgentsAdminDeps): Router {
  r.get("/api/v1/admin/agents", async (ctx) => {
    await requireAdmin(deps, ctx.req, WHAT);
    const docs = await readConfig(deps);
    const services = (parseConfigDocs(docs).catalogue?.services ?? []).map((s) => ({
      id: s.id,
      name: s.name,
    }));
    sendJson(ctx.res, 200, {
      agents: directory(docs),
      version: currentVersion(docs, AGENTS_DOC_ID),
      services,
    });
  });

  r.post("/api/v1/admin/agents", async (ctx) => {
    const admin = await requireAdmin(deps, ctx.req, WHAT);
    const body = asObject(await readJson(ctx));
    const password = typeof body.password === "string" ? body.password : "";
    const card = parseCard({ ...body, disabled: undefined, passwordSetAt: deps.now().toISOString() });
    checkAccount(card, password);
    const docs = await readConfig(deps);
    const cards = directory(docs);
    const known = cards.some((c) => c.username === card.username);
    // An account outside this directory may be another commune's: never taken over.
    if ((await getUserDoc(deps.admin, card.username)) && !known)
      throw new HttpError(
        409,
        `L'identifiant « ${card.username} » est déjà utilisé : choisissez-en un autre.`,
      );
    if (known && (await getUserDoc(deps.admin, card.username)))
      throw new HttpError(409, `L'agent « ${card.username} » existe déjà : modifiez sa fiche.`);
    await saveDirectory(deps, admin, docs, [...cards.filter((c) => c.username !== card.username), card]);
    await createOrReset(deps, card, password);
    sendJson(ctx.res, 201, { agent: card });
  });

  r.on("PUT", "/api/v1/admin/agents/:username", async (ctx) => {
    const admin = await requireAdmin(deps, ctx.req, WHAT);
    const username = ctx.params.username ?? "";
    const body = asObject(await readJson(ctx));
    const docs = await readConfig(deps);
    checkBaseVersion(body.baseVersion, currentVersion(docs, AGENTS_DOC_ID), "La liste des agents");
    const cards = directory(docs);
    const before = findCard(cards, username);
    // passwordSetAt is the server's: only a new password moves it.
    const { baseVersion: _b, password: _p, passwordSetAt: _s, ...fields } = body;
    const card = parseCard({ ...before, ...fields, username });
    if (!card.disabled && card.roles.length === 0)
      throw invalid([{ field: "roles", message: "Indiquez au moins un rôle." }]);
    checkSelf(admin, card);
    const account = await getUserDoc(deps.admin, username);
    if (!card.disabled && before.disabled)
      throw new HttpError(409, "Pour réactiver cet agent, donnez-lui un nouveau mot de passe.");
    // Roles first: a refused service is reported before anything is written.
    const roles = card.disabled
      ? []
      : await frenchRefusal(couchRolesFor(deps.admin, { ...card, commune: deps.commune }));
    await saveDirectory(
      deps,
      admin,
      docs,
      cards.map((c) => (c.username === username ? card : c)),
    );
    if (account) await saveUserDoc(deps.admin, { name: username, roles }, account);
    deps.agents.forget(username);
    sendJson(ctx.res, 200, { agent: card });
  });

  r.post("/api/v1/admin/agents/:username/password", async (ctx) => {
    const admin = await requireAdmin(deps, ctx.req, WHAT);
    const username = ctx.params.username ?? "";
    const body = asObject(await readJson(ctx));
    const password = typeof body.password === "string" ? body.password : "";
    const docs = await readConfig(deps);
    const cards = directory(docs);
    const before = findCard(cards, username);
    const card = { ...before, disabled: undefined };
    if (card.roles.length === 0)
      throw invalid([{ field: "roles", message: "Donnez d'abord un rôle à cet agent." }]);
    checkAccount(card, password);
    // Always saved: the new passwordSetAt tells workstations to drop their offline hash of the old one.
    const { disabled: _d, ...enabled } = { ...card, passwordSetAt: deps.now().toISOString() };
    await saveDirectory(
      deps,
      admin,
      docs,
      cards.map((c) => (c.username === username ? enabled : c)),
    );
    await createOrReset(deps, card, password);
    sendJson(ctx.res, 200, { agent: { ...card, disabled: false } });
  });
  return r;
}

const directory = (docs: Parameters<typeof parseAgents>[0][]): AgentCard[] =>
  parseAgents(docs.find((d) => d?._id === AGENTS_DOC_ID)) ?? [];

function findCard(cards: AgentCard[], username: string): AgentCard {
  const card = cards.find((c) => c.username === username);
  if (!card) throw new HttpError(404, `Aucun agent « ${username} » dans cette commune.`);
  return card;
}

function parseCard(raw: Record<string, unknown>): AgentCard {
  const clean = Object.fromEntries(
    Object.entries(raw).filter(([k, v]) => v !== undefined && k !== "password"),
  );
  const parsed = agentCardSchema.safeParse(clean);
  if (!parsed.success) throw invalid(plainIssues(parsed.error, raw), "Fiche d'agent invalide.");
  return parsed.data;
}

function checkAccount(card: AgentCard, password: string): void {
  const problems = userProblems({
    name: card.username,
    password,
    roles: card.roles,
    services: card.services,
  });
  if (problems.length > 0) throw invalid(problems.map((message) => ({ field: "", message })));
}

/** An admin never locks themself out: another admin has to do it. */
function checkSelf(admin: Agent, card: AgentCard): void {
  if (card.username === admin.name && (card.disabled || !card.roles.includes("admin")))
    throw new HttpError(409, "Vous ne pouvez pas retirer vos propres droits d'administrateur.");
}

async function createOrReset(deps: AgentsAdminDeps, card: AgentCard, password: string): Promise<void> {
  deps.agents.forget(card.username);
  await frenchRefusal(
    addUser(deps.admin, {
      name: card.username,
      password,
      roles: card.roles,
      services: card.services,
      commune: deps.commune,
    }),
  );
}

/** users.ts refuses in French with plain errors (an unknown service...): a 422 for the admin. */
async function frenchRefusal<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof HttpError || !(e instanceof Error) || "statusCode" in e) throw e;
    throw invalid([{ field: "services", message: e.message }]);
  }
}

async function saveDirectory(
  deps: AgentsAdminDeps,
  admin: Agent,
  docs: Parameters<typeof parseAgents>[0][],
  cards: AgentCard[],
) {
  const stored = docs.filter((d): d is NonNullable<typeof d> => !!d);
  const sorted = [...cards].sort((a, b) => a.username.localeCompare(b.username));
  const saved = await saveVersioned(
    deps,
    admin,
    stored,
    { _id: AGENTS_DOC_ID, type: "agents", content: { agents: sorted } },
    deps.now(),
    CONFLICT,
  );
  // The request databases refuse an assignment to someone outside the directory.
  await refreshRequestRules(deps.admin, deps.commune, sorted);
  return saved;
}
