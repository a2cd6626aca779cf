// The README's C++ example, built by the test build, run as a user would:
// a client chats through it, then SIGINT (one run) or SIGTERM (another) stops
// it, and it exits 0 after ending the client's session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { nextEvent, withTimeout } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLE_BIN = process.env.SIO_README_EXAMPLE_BIN
  ? path.resolve(process.env.SIO_README_EXAMPLE_BIN)
  : path.resolve(here, '../../build/bin/readme_example');
const T = 5000;

/** Starts the example on a free port; resolves once it printed the port. */
async function startExample() {
  assert.ok(existsSync(EXAMPLE_BIN), `readme_example not found at ${EXAMPLE_BIN}`);
  const child = spawn(EXAMPLE_BIN, ['0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const port = await withTimeout(new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d;
      const m = /listening on port (\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    });
    exited.then(({ code, signal }) =>
      reject(new Error(`exited before listening (code ${code}, signal ${signal}): ${output}`)));
  }), T, 'readme_example to print its port').catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return { child, port, exited, output: () => output };
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  test(`the README example chats, then stops cleanly on ${signal} with exit code 0`, async () => {
    const example = await startExample();
    const url = `http://127.0.0.1:${example.port}/chat`;
    const options = { transports: ['websocket'], forceNew: true, reconnection: false };
    const refused = io(url, options);
    const alice = io(url, { ...options, auth: { token: 'a' } });
    const bob = io(url, { ...options, auth: { token: 'b' } });
    // Every wait is set up before any answer can arrive: the three connect at once.
    const refusal = nextEvent(refused, 'connect_error', T);
    const connected = Promise.all([nextEvent(alice, 'connect', T), nextEvent(bob, 'connect', T)]);
    try {
      const [error] = await refusal;
      assert.equal(error.message, 'not authorized');
      await connected;

      const toBob = nextEvent(bob, 'msg', T);
      const reply = await withTimeout(alice.emitWithAck('msg', 'hello'), T, 'the ack of msg');
      assert.equal(reply, 'delivered');
      assert.deepEqual(await toBob, ['hello']);

      const gone = nextEvent(alice, 'disconnect', T);
      example.child.kill(signal);
      const { code, signal: killedBy } = await withTimeout(example.exited, T, `exit after ${signal}`);
      assert.equal(killedBy, null, example.output());
      assert.equal(code, 0, example.output());
      const [reason] = await gone;
      assert.equal(reason, 'transport close');
    } finally {
      for (const s of [refused, alice, bob]) s.close();
      if (example.child.exitCode === null) example.child.kill('SIGKILL');
    }
  });
}
