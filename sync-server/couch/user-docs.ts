import type { Couch } from "./couch";
import { basicAuth } from "./couch-db";
import { getDoc } from "./couch-docs";
import { MIN_PASSWORD_LENGTH } from "./password-hashing";

/** A `_users` document (CouchDB and PouchDB Server hash `password` on write). */
export type UserDoc = {
  _id: string;
  _rev?: string;
  type: "user";
  name: string;
  roles: string[];
  password?: string;
} & Record<string, unknown>;

export const userDocId = (name: string): string => `org.couchdb.user:${name}`;

export async function getUserDoc(couch: Couch, name: string): Promise<UserDoc | undefined> {
  return (await getDoc(couch.admin.db("_users"), userDocId(name))) as UserDoc | undefined;
}

/**
 * Creates or updates the account; keeps the stored hash when no new password is given. Every
 * password set here (people's and service accounts') has the minimum length.
 */
export async function saveUserDoc(
  couch: Couch,
  user: { name: string; roles: string[]; password?: string },
  existing: UserDoc | undefined,
): Promise<void> {
  if (user.password !== undefined && user.password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(
      `Mot de passe trop court pour le compte « ${user.name} » : ${MIN_PASSWORD_LENGTH} caractères au minimum.`,
    );
  }
  const doc: UserDoc = {
    ...(existing ?? {}),
    _id: userDocId(user.name),
    type: "user",
    name: user.name,
    roles: user.roles,
    ...(user.password !== undefined ? { password: user.password } : {}),
  };
  await couch.admin.db("_users").put(doc);
}

/** Checks a password with one request. CouchDB locks an account after 5 failures: use sparingly. */
export async function canLogIn(url: string, name: string, password: string): Promise<boolean> {
  const auth = basicAuth({ username: name, password });
  const res = await fetch(`${url}/_session`, {
    headers: { authorization: auth, accept: "application/json" },
  });
  if (res.status !== 200) return false;
  const body = (await res.json()) as { userCtx?: { name?: string | null } };
  return body.userCtx?.name === name;
}
