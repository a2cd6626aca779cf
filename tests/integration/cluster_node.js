// A Node socket.io 4.8 node with @socket.io/redis-adapter 8 running the
// contract app (the cluster events included), to stand next to sio-server in
// a mixed cluster. Usage: node cluster_node.js --redis-url redis://HOST:PORT
// [--redis-key socket.io]. Listens on a free port and prints
// "listening on http://127.0.0.1:PORT/socket.io/".
import http from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const url = flag('redis-url', 'redis://127.0.0.1:6379');
const key = flag('redis-key', 'socket.io');

const pub = createClient({ url });
const sub = pub.duplicate();
pub.on('error', () => {});
sub.on('error', () => {});
await Promise.all([pub.connect(), sub.connect()]);

const httpServer = http.createServer();
const io = new Server(httpServer, { adapter: createAdapter(pub, sub, { key, requestsTimeout: 3000 }) });
const last = (a) => (typeof a[a.length - 1] === 'function' ? a.pop() : () => {});

io.of('/').on('connection', (socket) => {
  socket.emit('auth', socket.handshake.auth);
  socket.on('echo', (...a) => { const ack = last(a); ack(a[0]); });
  socket.on('join', (...a) => { const ack = last(a); socket.join(a[0]); ack(true); });
  socket.on('leave', (...a) => { const ack = last(a); socket.leave(a[0]); ack(true); });
  socket.on('broadcast', (room, payload) => io.to(room).emit('msg', payload));
  socket.on('broadcast-all', (payload) => io.emit('msg-all', payload));
  socket.on('room-size', async (room, ack) => {
    try { ack((await io.in(room).fetchSockets()).length); } catch { ack(-1); }
  });
  // Node-only: the rooms of every node (allRooms, request type 1).
  socket.on('all-rooms', async (ack) => {
    try { ack([...(await io.of('/').adapter.allRooms())]); } catch { ack(null); }
  });
  socket.on('fetch-join', async (room, target, ack) => {
    try {
      const sockets = await io.in(room).fetchSockets();
      for (const s of sockets) s.join(target);
      ack(sockets.length);
    } catch { ack(-1); }
  });
  socket.on('join-all', (room, ack) => { io.socketsJoin(room); ack(true); });
  // Node-only: the other cluster operations, to check them from a Node node.
  socket.on('leave-all', (room, target, ack) => { io.in(room).socketsLeave(target); ack(true); });
  socket.on('disconnect-all', (room, ack) => { io.in(room).disconnectSockets(true); ack(true); });
  socket.on('broadcast-except', (room, except, payload) => io.to(room).except(except).emit('msg', payload));
  socket.on('broadcast-ack', (room, payload, ack) => {
    io.to(room).timeout(2000).emit('msg-ack', payload, (err, replies) =>
      ack({ err: err ? String(err.message) : null, replies }));
  });
  socket.on('sse', (payload, ack) => { io.serverSideEmit('sse-hello', payload); ack(true); });
  socket.on('sse-ack', async (payload, ack) => {
    try { ack({ err: null, replies: await io.serverSideEmitWithAck('sse-ping', payload) }); }
    catch (err) { ack({ err: String(err.message), replies: err.responses ?? [] }); }
  });
});

// Server-side emits, as the contract app of sio-server has them.
io.of('/').on('sse-hello', (payload) => io.local.emit('sse-got', payload));
io.of('/').on('sse-ping', (payload, cb) => cb({ from: 'node', got: payload }));

httpServer.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${httpServer.address().port}/socket.io/`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
