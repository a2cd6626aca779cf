#!/usr/bin/env node
// The chat of `sio-server --app chat` as a Node backend: the same app as
// chat_backend.py, on @grpc/grpc-js and @grpc/proto-loader (installed by
// `npm ci` in tests/integration). sio-server runs with `--app proxy` and calls
// this process (socketio.v1.BackendService) for every connect, event and
// disconnect; the answers join, leave, set socket.data, emit and ack.
//
//   node examples/chat_backend/chat_backend.cjs            # http://localhost:3000
//   node examples/chat_backend/chat_backend.cjs --port 0   # any free port
//
// It starts build/bin/sio-server (or $SIO_SERVER_BIN) and stops it on Ctrl-C.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
module.paths.push(path.join(ROOT, 'tests', 'integration', 'node_modules'));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const MAX_NAME = 24;
const MAX_ROOM = 32;
const MAX_TEXT = 2000;

const definition = protoLoader.loadSync('socketio/v1/socketio.proto', {
  includeDirs: [path.join(ROOT, 'protocol', 'proto')], keepCase: true, longs: Number, defaults: true, oneofs: true,
});
const pkg = grpc.loadPackageDefinition(definition).socketio.v1;

const payload = (...values) => ({ args: values.map((v) => ({ json: JSON.stringify(v) })) });
const emit = (event, value, room, except = []) => ({ target: { rooms: room ? [room] : [], except_rooms: except }, event, payload: payload(value) });
const admin = (text) => ({ user: 'admin', text, time: Date.now() });
const trimmed = (v) => (typeof v === 'string' ? v.trim() : '');
// Prefixed, so that no room typed in the page is another socket's own room.
const roomKey = (room) => `chat:${room}`;
const argsOf = (p) => p.args.map((a) => (a.value === 'json' ? JSON.parse(a.json) : a.binary));

function chat(api) {
  const rooms = new Map(); // room -> [{sid, name}] in order of arrival
  const users = (room) => ({ room, users: (rooms.get(room) ?? []).map((m) => m.name) });
  // Removes sid from room; the emits that tell the others.
  const leave = (sid, room) => {
    const members = rooms.get(room) ?? [];
    const gone = members.find((m) => m.sid === sid);
    const rest = members.filter((m) => m.sid !== sid);
    if (rest.length === 0) {
      rooms.delete(room);
      return [];
    }
    rooms.set(room, rest);
    return gone ? [emit('message', admin(`${gone.name} left`), roomKey(room)), emit('roomData', users(room), roomKey(room))] : [];
  };

  const join = (sid, data, request) => {
    const reply = (value, more = {}) => ({ ack: payload(value), ...more });
    if (typeof request !== 'object' || request === null) return reply({ error: 'expected {name, room}' });
    const name = trimmed(request.name);
    const room = trimmed(request.room);
    if (!name || [...name].length > MAX_NAME) return reply({ error: 'a name is 1 to 24 characters' });
    if (!room || [...room].length > MAX_ROOM) return reply({ error: 'a room is 1 to 32 characters' });
    if (name.toLowerCase() === 'admin') return reply({ error: 'that name is taken' });
    if (data.room === room && data.name === name) return reply({ room, name });
    const emits = [];
    const leaving = [];
    if (data.room !== undefined) {
      leaving.push(roomKey(data.room));
      emits.push(...leave(sid, data.room));
    }
    rooms.set(room, [...(rooms.get(room) ?? []), { sid, name }]);
    emits.push(emit('message', admin(`Welcome to ${room}, ${name}!`), sid),
               emit('message', admin(`${name} joined`), roomKey(room), [sid]),
               emit('roomData', users(room), roomKey(room)));
    // Applied in this order: leave, join, data, emits, then the ack.
    return reply({ room, name }, { leave: leaving, join: [roomKey(room)], set_data_json: JSON.stringify({ name, room }), emits });
  };

  const say = (sid, data, text) => {
    const reply = (value, more = {}) => ({ ack: payload(value), ...more });
    if (data.room === undefined) return reply({ error: 'join a room first' });
    if (typeof text !== 'string') return reply({ error: 'expected text' });
    const t = text.trim();
    if (!t) return reply({ error: 'empty message' });
    if ([...t].length > MAX_TEXT) return reply({ error: 'message too long' });
    const time = Date.now();
    return reply({ ok: true, time }, { emits: [emit('message', { user: data.name, text: t, time }, roomKey(data.room), [sid])] });
  };

  return {
    Connect(call, cb) { cb(null, { accept: { data_json: '{}' } }); },
    Event(call, cb) {
      const r = call.request;
      const data = JSON.parse(r.data_json || '{}') ?? {};
      const [first] = argsOf(r.payload);
      if (r.event === 'join') return cb(null, join(r.socket_id, data, first));
      if (r.event === 'sendMessage') return cb(null, say(r.socket_id, data, first));
      return cb(null, { ack: payload({ error: `unknown event ${r.event}` }) });
    },
    Disconnect(call, cb) {
      const r = call.request;
      const data = JSON.parse(r.data_json || '{}') ?? {};
      cb(null, {});
      // A disconnect answers nothing: the others hear of it through the server's API.
      if (data.room === undefined) return;
      for (const e of leave(r.socket_id, data.room)) {
        api.Emit(e, { deadline: Date.now() + 5000 }, (err) => {
          if (err) console.error(`chat_backend: Emit failed: ${err.message}`);
        });
      }
    },
  };
}

function main() {
  const argv = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-backend-'));
  const backend = `unix:${path.join(scratch, 'backend.sock')}`;
  const apiAddress = `unix:${path.join(scratch, 'api.sock')}`;
  const api = new pkg.ServerService(apiAddress, grpc.credentials.createInsecure());
  const server = new grpc.Server();
  server.addService(pkg.BackendService.service, chat(api));
  server.bindAsync(backend, grpc.ServerCredentials.createInsecure(), (err) => {
    if (err) throw err;
    const binary = process.env.SIO_SERVER_BIN ?? path.join(ROOT, 'build', 'bin', 'sio-server');
    const sio = spawn(binary, ['--app', 'proxy', '--backend', backend, '--grpc-listen', apiAddress,
      '--bind', flag('--bind', '0.0.0.0'), '--port', flag('--port', '3000')], { stdio: 'inherit' });
    const stop = () => sio.kill('SIGTERM');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    sio.on('exit', (code) => {
      api.close();
      server.forceShutdown();
      fs.rmSync(scratch, { recursive: true, force: true });
      process.exit(code ?? 1);
    });
  });
}

main();
