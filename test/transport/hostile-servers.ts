import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Servers that answer, but never usefully: one that trickles its answer a
 * byte at a time, one that sends a huge body. Both listen on 127.0.0.1 only,
 * and every loop in them ends by itself (a fixed number of bytes), or sooner
 * when the client hangs up.
 */

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * 'body': headers at once, then the body a byte at a time; 'head': the whole answer, status line included, a byte at
   * a time; absent: all at once.
   */
  trickle?: 'body' | 'head';
}

export interface TrickleServer {
  origin: string;
  host: string;
  /** Each trickled answer: how many of its bytes went out, and whether the client hung up before the last. */
  trickled: { sent: number; of: number; cut: boolean }[];
  close(): Promise<void>;
}

/**
 * A raw HTTP/1.1 server (node:net, so that even the status line can be
 * trickled): `route` answers each request once its headers and declared body
 * are in; a trickled answer goes out one byte every `everyMs`.
 */
export async function trickleServer(
  route: (method: string, path: string, origin: string) => Answer,
  everyMs = 2000,
): Promise<TrickleServer> {
  let origin = '';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const trickled: TrickleServer['trickled'] = [];
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (data: Buffer) => {
      if (answered) return;
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? '0');
      if (buffered.length < end + 4 + length) return;
      answered = true;
      const [method = '', path = ''] = head.split('\r\n')[0]?.split(' ') ?? [];
      respond(socket, route(method, path, origin));
    });
  });

  function respond(socket: Socket, answer: Answer): void {
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : (answer.body ?? Buffer.alloc(0));
    const headers = { 'content-length': String(body.length), connection: 'close', ...answer.headers };
    const head = Buffer.from(
      `HTTP/1.1 ${answer.status} X\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
      'latin1',
    );
    if (answer.trickle === undefined) {
      socket.end(Buffer.concat([head, body]));
      return;
    }
    let slow = body;
    if (answer.trickle === 'body') socket.write(head);
    else slow = Buffer.concat([head, body]);
    const record = { sent: 0, of: slow.length, cut: false };
    trickled.push(record);
    // At most slow.length steps, then the answer is complete; a client that hangs up ends it sooner.
    const step = (): void => {
      if (socket.destroyed) {
        record.cut = true;
        return;
      }
      socket.write(slow.subarray(record.sent, record.sent + 1));
      record.sent++;
      if (record.sent >= slow.length) {
        socket.end();
        return;
      }
      const t = setTimeout(() => {
        timers.delete(t);
        step();
      }, everyMs);
      timers.add(t);
    };
    step();
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    host: `127.0.0.1:${port}`,
    trickled,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export const MiB = 1024 * 1024;

export interface HugeAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Written first. */
  prefix: string;
  /** Repeated until `total` bytes have gone out (the body is never valid: it has no end). */
  unit: string;
  total: number;
  /** Send Content-Length: total (otherwise chunked). */
  declare?: boolean;
}

export interface HugeServer {
  origin: string;
  host: string;
  /** Bytes of body written, over all answers. */
  written(): number;
  close(): Promise<void>;
}

/**
 * A node:http server whose `route` may answer with a huge body: generated
 * 64 KiB at a time with backpressure (never held whole here), at most
 * `total` bytes, stopping when the client hangs up.
 */
export async function hugeServer(
  route: (
    req: IncomingMessage,
  ) => HugeAnswer | { status: number; headers?: Record<string, string>; body: string | Buffer },
): Promise<HugeServer> {
  let written = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = route(req);
      if ('body' in answer) {
        const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          'content-length': String(body.length),
          ...answer.headers,
        });
        res.end(body);
        return;
      }
      void stream(res, answer);
    });
  });

  async function stream(res: ServerResponse, answer: HugeAnswer): Promise<void> {
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      ...(answer.declare ? { 'content-length': String(answer.total) } : {}),
      ...answer.headers,
    });
    let closed = false;
    res.on('close', () => (closed = true));
    const unit = Buffer.from(answer.unit);
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i += unit.length) unit.copy(chunk, i);
    let sent = 0;
    const prefix = Buffer.from(answer.prefix);
    res.write(prefix);
    sent += prefix.length;
    while (sent < answer.total && !closed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, answer.total - sent));
      sent += piece.length;
      written += piece.length;
      if (!res.write(piece)) {
        await new Promise<void>((r) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            r();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (!closed) res.end();
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    written: () => written,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
