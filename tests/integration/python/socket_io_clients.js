// Official socket.io-client sockets for the Python tests, which drive the server
// over gRPC and check what these sockets see. Usage: node socket_io_clients.js URL N.
// Prints one JSON line per fact: {"ids":[...]} once all N are connected, then
// {"socket":i,"event":name,"args":[...]} for each event (a Buffer argument, at any
// depth, as {"buffer":BASE64}; anything else that is not JSON as {"not_json":String})
// and {"socket":i,"disconnect":reason}. Ends when stdin closes.
import { io } from 'socket.io-client';

const [url, count] = process.argv.slice(2);
const say = (fact) => process.stdout.write(`${JSON.stringify(fact)}\n`);
const shown = (v) => {
  if (Buffer.isBuffer(v)) return { buffer: v.toString('base64') };
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return { not_json: Object.prototype.toString.call(v) };
  if (Array.isArray(v)) return v.map(shown);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shown(x)]));
  return v;
};

const sockets = Array.from({ length: Number(count) }, (_, i) => {
  const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  s.onAny((event, ...args) => say({ socket: i, event, args: shown(args) }));
  s.on('disconnect', (reason) => say({ socket: i, disconnect: reason }));
  s.on('connect_error', (err) => say({ socket: i, connect_error: err.message }));
  return s;
});
Promise.all(sockets.map((s) => new Promise((resolve) => s.once('connect', resolve))))
  .then(() => say({ ids: sockets.map((s) => s.id) }));
process.stdin.on('end', () => {
  for (const s of sockets) s.disconnect();
  process.exit(0);
});
process.stdin.resume();
