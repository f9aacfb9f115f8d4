import net from "node:net";

/**
 * A TCP proxy that behaves like a poor line between a workstation and the server: bandwidth,
 * latency, occasional stalls (what TCP makes of packet loss: a retransmission pause), and
 * cut-offs that reset every connection and refuse new ones until the line comes back.
 * Written here rather than pulled in: it must run without Docker or root (no tc/netem).
 */
export type LinkShape = {
  /** Bits per second in each direction; 0 = unlimited. */
  bandwidthBps: number;
  /** Round-trip time added, in ms (half each way). */
  rttMs: number;
  /** Probability per chunk of a retransmission stall. */
  lossRate: number;
  /** Length of such a stall, in ms (a TCP retransmission timeout is ~200 ms minimum). */
  lossStallMs: number;
};

export const PERFECT_LINK: LinkShape = { bandwidthBps: 0, rttMs: 0, lossRate: 0, lossStallMs: 0 };

export type LinkProxy = Awaited<ReturnType<typeof startLinkProxy>>;

export async function startLinkProxy(opts: {
  target: { host: string; port: number };
  shape?: Partial<LinkShape>;
  random?: () => number;
}) {
  let shape: LinkShape = { ...PERFECT_LINK, ...opts.shape };
  const random = opts.random ?? Math.random;
  let up = true;
  const sockets = new Set<net.Socket>();
  const bytes = { up: 0, down: 0 };

  /** One direction of the line: chunks leave in order, each after its serialisation time and latency. */
  function shaper(to: net.Socket, count: (n: number) => void) {
    let lineFreeAt = 0;
    let lastDelivery = 0;
    const send = (chunk: Buffer) => {
      count(chunk.length);
      const now = Date.now();
      const transmitMs = shape.bandwidthBps > 0 ? (chunk.length * 8 * 1000) / shape.bandwidthBps : 0;
      const start = Math.max(now, lineFreeAt);
      lineFreeAt = start + transmitMs;
      const stall = shape.lossRate > 0 && random() < shape.lossRate ? shape.lossStallMs : 0;
      const deliverAt = Math.max(lastDelivery, lineFreeAt + shape.rttMs / 2 + stall);
      lastDelivery = deliverAt;
      const delay = deliverAt - now;
      const write = () => {
        if (!to.destroyed) to.write(chunk);
      };
      if (delay <= 0) write();
      else setTimeout(write, delay);
    };
    /** Half-closes the far side once every chunk still on the line has arrived. */
    const end = () => {
      setTimeout(() => to.end(), Math.max(0, lastDelivery - Date.now()) + 1);
    };
    return { send, end };
  }

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ port: opts.target.port, host: opts.target.host, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const toServer = shaper(upstream, (n) => {
      bytes.up += n;
    });
    const toClient = shaper(client, (n) => {
      bytes.down += n;
    });
    client.on("data", toServer.send);
    upstream.on("data", toClient.send);
    // A FIN travels the line like data: in-flight chunks arrive first, as on a real line.
    client.on("end", toServer.end);
    upstream.on("end", toClient.end);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    bytes,
    setShape(next: Partial<LinkShape>) {
      shape = { ...shape, ...next };
    },
    /** The line drops: every open connection is reset, new ones refused. */
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      up = true;
    },
    get isUp() {
      return up;
    },
    async stop() {
      up = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** mulberry32: a tiny seeded generator, so a failing chaos run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
