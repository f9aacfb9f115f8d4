import { searchKey } from "./history";
import type { Citizen } from "./request";

/**
 * What tells that two requests come from the same person, whatever the channel: the same email,
 * the same phone number, or the same name at the same address (accents, case, spacing and
 * punctuation ignored). A name alone is not enough: two Léa Martin are two people.
 */
export type CitizenKeys = { email?: string; phone?: string; nameAddress?: string };

const compact = (text: string) => searchKey(text).replace(/ /g, "_");

/** A French number however written: "+33 6 12…", "0033 6…" and "06 12…" are one number. */
export function phoneKey(phone: string): string | undefined {
  let digits = phone.replace(/\D/g, "");
  if (digits.startsWith("0033")) digits = `0${digits.slice(4)}`;
  else if (phone.trim().startsWith("+33")) digits = `0${digits.slice(2)}`;
  return digits.length >= 9 ? digits : undefined;
}

export function citizenKeys(c: Citizen): CitizenKeys {
  const keys: CitizenKeys = {};
  const email = c.email?.trim().toLowerCase();
  if (email) keys.email = email;
  const phone = c.phone ? phoneKey(c.phone) : undefined;
  if (phone) keys.phone = phone;
  const name = compact(`${c.lastName} ${c.firstName}`);
  if (name && c.address) keys.nameAddress = `${name}|${compact(c.address.line)}|${c.address.postcode}`;
  return keys;
}

/** True when any of the keys is shared. */
export function sameCitizen(a: Citizen, b: Citizen): boolean {
  const x = citizenKeys(a);
  const y = citizenKeys(b);
  return (
    (!!x.email && x.email === y.email) ||
    (!!x.phone && x.phone === y.phone) ||
    (!!x.nameAddress && x.nameAddress === y.nameAddress)
  );
}
