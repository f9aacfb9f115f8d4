import { map, type Observable } from "rxjs";
import type { GuichetDatabase } from "./database";
import type { Rejection } from "./request-rx-schema";

/** Every request the server refused, in tracking-number order, live. */
export function rejections$(db: GuichetDatabase): Observable<Rejection[]> {
  return db.rejections
    .find({ sort: [{ id: "asc" }] })
    .$.pipe(map((docs) => docs.map((d) => d.toJSON() as Rejection)));
}

/** Why the server refused this request, live; null while it is accepted. */
export function rejectionOf$(db: GuichetDatabase, id: string): Observable<Rejection | null> {
  return db.rejections.findOne(id).$.pipe(map((d) => (d ? (d.toJSON() as Rejection) : null)));
}
