import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type ReceivedMail = {
  /** Order of arrival, from 1. */
  n: number;
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  date: string;
  headers: Record<string, string>;
  raw: string;
};

export type SmtpSink = {
  url: string;
  port: number;
  messages(): ReceivedMail[];
  /** Makes the server answer every message with this temporary failure (e.g. 451), or accept again (null). */
  setFailure(code: number | null): void;
  /** Resolves once at least `count` messages arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
};

/**
 * A real SMTP server on localhost for development and tests: it accepts every message, parses it
 * (mailparser) and keeps it in memory, so tests read what was actually delivered over SMTP and
 * /dev/inbox shows it. Never used when SMTP_URL points to a real relay.
 */
export async function startSmtpSink(opts: { port?: number } = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let failure: number | null = null;
  const waiters: { count: number; resolve: () => void }[] = [];

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    size: 30 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (failure !== null) {
          const err = Object.assign(new Error("Service temporairement indisponible"), {
            responseCode: failure,
          });
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((mail) => {
            const headers: Record<string, string> = {};
            for (const line of mail.headerLines)
              headers[line.key] = line.line.slice(line.line.indexOf(":") + 1).trim();
            received.push({
              n: received.length + 1,
              messageId: mail.messageId ?? "",
              from: mail.from?.text ?? "",
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              html: typeof mail.html === "string" ? mail.html : "",
              date: (mail.date ?? new Date()).toISOString(),
              headers,
              raw: raw.toString("utf8"),
            });
            for (const w of waiters.splice(0)) {
              if (received.length >= w.count) w.resolve();
              else waiters.push(w);
            }
            callback();
          })
          .catch((e: Error) => callback(e));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  // A client that drops mid-session must not crash the process.
  server.on("error", () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages: () => [...received],
    setFailure(code) {
      failure = code;
    },
    waitFor(count, timeoutMs = 15_000) {
      if (received.length >= count) return Promise.resolve([...received]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`${received.length} message(s) reçu(s) au lieu de ${count} après ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve([...received]);
          },
        });
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
