import { useEffect, useState } from "react";
import { QUEUES, type QueueId } from "../../db/queues";

/** Hash routes: they survive a reload and work from file:// or Electron's scheme without a server. */
export type Route =
  | { name: "new" }
  | { name: "saved"; id: string }
  | { name: "queue"; queue: QueueId }
  | { name: "request"; id: string }
  | { name: "citizen"; id: string }
  | { name: "search"; q: string }
  | { name: "sync" }
  | { name: "settings" }
  | { name: "dashboard" }
  | { name: "fleet" }
  | { name: "admin-catalogue" }
  | { name: "admin-api-keys" }
  | { name: "admin-commune" };

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?");
  const [head, arg = ""] = path.split("/");
  switch (head) {
    case "new":
      return { name: "new" };
    case "saved":
      return { name: "saved", id: decodeURIComponent(arg) };
    case "request":
      return { name: "request", id: decodeURIComponent(arg) };
    case "citizen":
      return { name: "citizen", id: decodeURIComponent(arg) };
    case "search":
      return { name: "search", q: new URLSearchParams(query).get("q") ?? "" };
    case "sync":
      return { name: "sync" };
    case "settings":
      return { name: "settings" };
    case "dashboard":
      return { name: "dashboard" };
    case "postes":
      return { name: "fleet" };
    case "admin":
      if (arg === "api-keys") return { name: "admin-api-keys" };
      if (arg === "commune") return { name: "admin-commune" };
      return arg === "catalogue" ? { name: "admin-catalogue" } : { name: "queue", queue: "service" };
    case "queue":
      return {
        name: "queue",
        queue: (QUEUES as readonly string[]).includes(arg) ? (arg as QueueId) : "service",
      };
    default:
      return { name: "queue", queue: "service" };
  }
}

export function href(route: Route): string {
  switch (route.name) {
    case "new":
    case "sync":
    case "settings":
    case "dashboard":
      return `#/${route.name}`;
    case "fleet":
      return "#/postes";
    case "saved":
    case "request":
    case "citizen":
      return `#/${route.name}/${encodeURIComponent(route.id)}`;
    case "search":
      return route.q ? `#/search?${new URLSearchParams({ q: route.q })}` : "#/search";
    case "queue":
      return `#/queue/${route.queue}`;
    case "admin-catalogue":
      return "#/admin/catalogue";
    case "admin-api-keys":
      return "#/admin/api-keys";
    case "admin-commune":
      return "#/admin/commune";
  }
}

export function navigate(route: Route): void {
  location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
