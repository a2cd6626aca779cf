// Starts the real sio-server binary for the integration tests and stops it again.
//
// The binary comes from $SIO_SERVER_BIN, or ../../build/bin/sio-server relative to
// this directory. It always listens on port 0; the chosen port is parsed from the
// "... listening on http://HOST:PORT/PATH" line the server prints on stdout.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const SERVER_BIN = process.env.SIO_SERVER_BIN
  ? path.resolve(process.env.SIO_SERVER_BIN)
  : path.resolve(here, '../../build/bin/sio-server');

// Servers still running when this process exits (e.g. a test run aborted) are killed.
const live = new Set();
process.once('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

const LISTENING_RE = /listening on https?:\/\/[^\s:/]+:(\d+)(\/\S*)?/;

/**
 * Rejects with an Error naming `what` unless `promise` settles within `ms`.
 * `what` may be a function, called when the time is up.
 */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? what() : what}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the arguments of the next `event` of `emitter` (bounded by `ms`). */
/** Polls `check` every 20 ms until it resolves truthy, at most `ms`. */
export async function eventually(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function nextEvent(emitter, event, ms, what = `event '${event}'`) {
  let handler;
  const p = new Promise((resolve) => {
    handler = (...args) => resolve(args);
    emitter.once(event, handler);
  });
  // A socket.io-client socket that disconnects meanwhile says why in the
  // timeout's message: a lost event and a lost connection look alike otherwise.
  let gone = null;
  const onGone = (reason) => { gone = reason; };
  const watched = event !== 'disconnect' && typeof emitter.io === 'object' && emitter.io !== null;
  if (watched) emitter.on('disconnect', onGone);
  const name = () => (gone === null ? what : `${what} (the socket disconnected meanwhile: ${gone})`);
  return withTimeout(p, ms, name).finally(() => {
    const off = (e, h) => (typeof emitter.off === 'function' ? emitter.off(e, h) : emitter.removeListener(e, h));
    off(event, handler);
    if (watched) off('disconnect', onGone);
  });
}

/**
 * Starts sio-server.
 * @param {object} flags   command-line flags without the leading dashes, e.g.
 *                         {'ping-interval': 300}; a value of true gives a bare flag.
 *                         Defaults: app eio-echo, path /engine.io/, bind 127.0.0.1.
 *                         The port is always 0.
 * @param {object} options {startTimeoutMs, stopTimeoutMs (SIGTERM grace period, then SIGKILL)}
 * @returns {Promise<{port:number, path:string, url:string, pid:number,
 *                    output:()=>string, stop:({timeoutMs})=>Promise<{forced:boolean, ms:number}>}>}
 */
export async function startServer(flags = {}, { startTimeoutMs = 10000, stopTimeoutMs = 2000 } = {}) {
  if (!existsSync(SERVER_BIN)) {
    throw new Error(`sio-server binary not found at ${SERVER_BIN} (set SIO_SERVER_BIN)`);
  }
  const all = { app: 'eio-echo', path: '/engine.io/', bind: '127.0.0.1', ...flags, port: 0 };
  const args = [];
  for (const [k, v] of Object.entries(all)) {
    if (v === undefined || v === null || v === false) continue;
    args.push(`--${k}`);
    if (v !== true) args.push(String(v));
  }

  const child = spawn(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 65536) stderr = stderr.slice(-65536);
  });

  live.add(child);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });

  const listening = new Promise((resolve, reject) => {
    const onData = (d) => {
      stdout += d;
      const m = LISTENING_RE.exec(stdout);
      if (m) {
        child.stdout.off('data', onData);
        // keep draining stdout so the server never blocks on a full pipe
        child.stdout.on('data', () => {});
        resolve({ port: Number(m[1]), path: m[2] || '/' });
      }
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    exited.then(({ code, signal }) =>
      reject(new Error(`sio-server exited before listening (code ${code}, signal ${signal})\n` +
                       `args: ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`)));
  });

  let info;
  try {
    info = await withTimeout(listening, startTimeoutMs, `sio-server ${args.join(' ')} to print its listening line`);
  } catch (err) {
    child.kill('SIGKILL');
    await withTimeout(exited, 5000, 'sio-server to exit after SIGKILL').catch(() => {});
    throw err;
  }

  // stop(): SIGTERM, wait up to timeoutMs for the exit, then SIGKILL (and wait again).
  // Resolves with {forced, ms, code, signal}; `forced` is true when SIGKILL was needed.
  let stopping = null;
  const stop = ({ timeoutMs = stopTimeoutMs } = {}) => {
    if (stopping) return stopping;
    stopping = (async () => {
      const t0 = Date.now();
      if (child.exitCode !== null || child.signalCode !== null) {
        return { forced: false, ms: 0, ...(await exited) };
      }
      process.kill(child.pid, 'SIGTERM');
      try {
        const how = await withTimeout(exited, timeoutMs, `sio-server (pid ${child.pid}) to exit on SIGTERM`);
        return { forced: false, ms: Date.now() - t0, ...how };
      } catch {
        process.kill(child.pid, 'SIGKILL');
        const how = await withTimeout(exited, 5000, `sio-server (pid ${child.pid}) to exit on SIGKILL`);
        return { forced: true, ms: Date.now() - t0, ...how };
      }
    })();
    return stopping;
  };

  return {
    port: info.port,
    path: info.path,
    url: `http://127.0.0.1:${info.port}`,
    pid: child.pid,
    exited,
    output: () => `stdout: ${stdout}\nstderr: ${stderr}`,
    stop,
  };
}

/**
 * Closes every socket.io-client socket in `clients` (and its connection), then
 * stops `server` and checks that it left on SIGTERM, not on SIGKILL.
 */
export async function stopClientsAndServer(server, clients) {
  for (const s of clients) {
    s.disconnect();
    s.io.engine?.close();
  }
  clients.clear();
  if (server) {
    const how = await server.stop();
    if (how.forced) throw new Error(`the server did not exit on SIGTERM\n${server.output()}`);
  }
}

/** What a JSON round trip makes of `v` (e.g. -0 becomes 0), binaries as Buffers. */
export function normalize(v) {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, normalize(x)]));
  }
  if (typeof v === 'number') return JSON.parse(JSON.stringify(v));
  return v;
}

/**
 * Queues the messages of a `ws` client (text as strings, binary as Buffers).
 * Returns next(ms, what): the oldest message, waiting at most `ms` for one.
 */
export function queueMessages(ws) {
  const messages = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const m = isBinary ? data : data.toString();
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  });
  return (ms, what = 'ws message') =>
    messages.length ? Promise.resolve(messages.shift()) : withTimeout(new Promise((r) => waiters.push(r)), ms, what);
}
