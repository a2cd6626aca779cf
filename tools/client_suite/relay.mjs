// Loaded into the mocha process of the socket.io-client suite (mocha
// --require): listens on a free loopback port, forwards each connection byte
// for byte to the server under test at 127.0.0.1:SIO_RELAY_TARGET, and puts
// its own port in SIO_SUITE_PORT before the suite's files are loaded (mocha
// awaits this module), where the suite's URLs read it.
//
// The suite's Node mode runs its server inside the mocha process (its
// test/support/hooks.ts), and one of its tests depends on that: "reconnect
// timeout" installs fake timers and expects the client's open timeout to fire
// before a refused connection to localhost:80 is reported. With the server in
// another process that holds only when the event loop happens to be busy; the
// reference server in its own process fails it as often as ours. The relay
// puts the server's traffic back into the mocha event loop, as the suite's own
// setup has it.
import net from "node:net";

const target = Number(process.env.SIO_RELAY_TARGET);
let connections = 0;
let upstreamErrors = 0;
const relay = net.createServer((client) => {
  connections++;
  const upstream = net.connect(target, "127.0.0.1");
  client.pipe(upstream);
  upstream.pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", (err) => {
    // The server refusing or resetting is part of some tests; the count
    // tells a run where it never answered.
    upstreamErrors++;
    if (upstreamErrors <= 3) console.error(`relay: to port ${target}: ${err.message}`);
    client.destroy();
  });
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => client.destroy());
});
await new Promise((resolve, reject) => {
  relay.once("error", reject);
  relay.listen(0, "127.0.0.1", resolve);
});
relay.unref();
process.env.SIO_SUITE_PORT = String(relay.address().port);
process.on("exit", () => {
  console.error(`relay: ${connections} connections, ${upstreamErrors} upstream errors`);
});
