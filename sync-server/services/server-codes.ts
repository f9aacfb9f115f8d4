/**
 * Workstation codes the server side uses for its own tracking numbers and events. Every code
 * starting with "W3" is reserved for the server: the allocator of counter codes skips them, so a
 * counter can never issue a number the portal issues.
 */
export const PORTAL_WORKSTATION = "W3B";
export const SERVER_WORKSTATION = "W3S";
/** The email door: its own tracking sequence and the author code of the mails it files. */
export const MAIL_WORKSTATION = "W3M";
export const RESERVED_PREFIX = "W3";

/** Counter document (in the commune's -config database) of the portal's tracking sequence. */
export const portalCounterId = (code: string): string => `counter:${code}`;
export const WORKSTATION_COUNTER_ID = "counter:workstations";
export const workstationDocId = (code: string): string => `workstation:${code}`;
