// The reference: npm socket.io running the contract app (examples/contract),
// so that tools/bench.sh can measure sio-server against it. Same flags as sio-server.
"use strict";
const http = require("node:http");
const { Server } = require("socket.io");

const flags = { port: 3000, "ping-interval": 25000, "ping-timeout": 20000,
                "connect-timeout": 45000, "max-payload": 1000000, "cors-origin": null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const name = argv[i].replace(/^--/, "");
  const value = name === "cors-origin" ? argv[i + 1] : Number(argv[i + 1]);
  if (!(name in flags) || i + 1 >= argv.length || Number.isNaN(value)) {
    console.error(`usage: server.js [--${Object.keys(flags).join(" V] [--")} V]`);
    process.exit(2);
  }
  flags[name] = value;
}

const httpServer = http.createServer();
const io = new Server(httpServer, {
  pingInterval: flags["ping-interval"], pingTimeout: flags["ping-timeout"],
  connectTimeout: flags["connect-timeout"], maxHttpBufferSize: flags["max-payload"],
  ...(flags["cors-origin"] !== null && { cors: { origin: flags["cors-origin"] } }),
});
const last = (a) => (typeof a[a.length - 1] === "function" ? a.pop() : () => {});

io.of("/").on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...a) => socket.emit("message-back", ...a));
  socket.on("message-with-ack", (...a) => { const ack = last(a); ack(...a); });
  socket.on("echo", (...a) => { const ack = last(a); ack(a[0]); });
  socket.on("join", (...a) => { const ack = last(a); socket.join(a[0]); ack(true); });
  socket.on("leave", (...a) => { const ack = last(a); socket.leave(a[0]); ack(true); });
  socket.on("broadcast", (room, payload) => io.to(room).emit("msg", payload));
});
io.of("/custom").on("connection", (socket) => socket.emit("auth", socket.handshake.auth));

httpServer.listen(flags.port, "0.0.0.0", () => {
  console.log(`listening on http://0.0.0.0:${httpServer.address().port}/socket.io/`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));
