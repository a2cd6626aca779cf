// A host actor in a second process: chat-with-bot publishes the server's
// host interface over CAF's middleman, chat-bot (another process) reaches it
// with remote_actor and sits in a chat room. socket.io-client users chat
// with it: it hears their messages, fetches the room's sockets, polls them
// with acks (the answers come back to it as the CAF response), leaves, and
// ends with the server; a bot killed outright costs the chat nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { nextEvent, withTimeout } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN_DIR = process.env.SIO_SERVER_BIN
  ? path.dirname(path.resolve(process.env.SIO_SERVER_BIN))
  : path.resolve(here, '../../build/bin');
const T = 10000;

/** Runs `bin` with `args`; resolves once its output matched every pattern. */
async function run(bin, args, patterns) {
  const file = path.join(BIN_DIR, bin);
  assert.ok(existsSync(file), `${bin} not found at ${file}`);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiting = [];
  const onData = (d) => {
    output += d;
    for (const w of waiting) {
      const m = w.pattern.exec(output);
      if (m) w.resolve(m);
    }
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  /** Resolves with the match once the output has `pattern`. */
  const printed = (pattern) => {
    const p = new Promise((resolve, reject) => {
      const m = pattern.exec(output);
      if (m) return resolve(m);
      waiting.push({ pattern, resolve });
      exited.then(({ code, signal }) =>
        reject(new Error(`${bin} exited (code ${code}, signal ${signal}) before printing ${pattern}: ${output}`)));
    });
    return withTimeout(p, T, () => `${bin} to print ${pattern}: ${output}`);
  };
  const proc = { child, exited, printed, output: () => output };
  try {
    proc.matches = await Promise.all(patterns.map(printed));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return proc;
}

async function startChat() {
  const server = await run('chat-with-bot', ['--port', '0', '--caf-port', '0'],
    [/listening on port (\d+)/, /host api on port (\d+)/]);
  server.port = Number(server.matches[0][1]);
  server.cafPort = Number(server.matches[1][1]);
  return server;
}

function startBot(server) {
  return run('chat-bot', ['--caf-port', String(server.cafPort), '--room', 'lobby',
    '--poll-timeout-ms', '1500'], [/bot joined lobby/]);
}

/** The next chat message from the bot whose text matches `pattern`. */
function botSays(socket, pattern) {
  let handler;
  const p = new Promise((resolve) => {
    handler = (m) => {
      if (m.user === 'bot' && pattern.test(m.text)) resolve(m.text);
    };
    socket.on('message', handler);
  });
  return withTimeout(p, T, `the bot to say ${pattern}`).finally(() => socket.off('message', handler));
}

async function user(server, name) {
  const s = io(`http://127.0.0.1:${server.port}`,
    { transports: ['websocket'], forceNew: true, reconnection: false });
  await nextEvent(s, 'connect', T);
  const joined = await withTimeout(s.emitWithAck('join', { name, room: 'lobby' }), T, `${name} joins`);
  assert.deepEqual(joined, { room: 'lobby', name });
  return s;
}

test('a bot in another process hears the room, fetches, polls with acks, leaves and ends with the server', async () => {
  const server = await startChat();
  let bot;
  const users = [];
  try {
    bot = await startBot(server);
    const [alice, bob, carol] = [await user(server, 'alice'), await user(server, 'bob'),
      await user(server, 'carol')];
    users.push(alice, bob, carol);

    // !who: the bot fetches the sockets of the room and names them.
    const who = botSays(bob, /^here: /);
    await alice.emitWithAck('sendMessage', '!who');
    assert.equal(await who, 'here: alice, bob, carol');

    // !poll: every socket of the room gets "poll" with an ack; carol never
    // answers, so the bot's CAF response comes at its timeout.
    alice.on('poll', (question, ack) => ack(question === 'tea?' ? 'yes' : 'wrong question'));
    bob.on('poll', (question, ack) => ack(question === 'tea?' ? 'no' : 'wrong question'));
    const carolAsked = nextEvent(carol, 'poll', T);
    const result = botSays(bob, /^poll /);
    await alice.emitWithAck('sendMessage', '!poll tea?');
    assert.deepEqual((await carolAsked).slice(0, 1), ['tea?']);
    assert.equal(await result, 'poll "tea?": 2 answered (no, yes), 1 silent');

    // !leave: the bot says bye and leaves once the server confirmed it.
    const bye = botSays(bob, /^bye$/);
    await alice.emitWithAck('sendMessage', '!leave');
    await bye;
    await bot.printed(/bot left lobby/);

    // The server stops; the bot, whose server is gone, ends by itself.
    server.child.kill('SIGTERM');
    const stopped = await withTimeout(server.exited, T, 'chat-with-bot to exit');
    assert.deepEqual(stopped, { code: 0, signal: null }, server.output());
    const ended = await withTimeout(bot.exited, T, 'chat-bot to end with the server');
    assert.deepEqual(ended, { code: 0, signal: null }, bot.output());
  } finally {
    for (const s of users) s.close();
    for (const p of [bot, server]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
  }
});

test('a bot process killed outright costs the chat nothing, and a new one joins', async () => {
  const server = await startChat();
  let bot;
  const users = [];
  try {
    bot = await startBot(server);
    const [alice, bob] = [await user(server, 'alice'), await user(server, 'bob')];
    users.push(alice, bob);
    bot.child.kill('SIGKILL');
    await withTimeout(bot.exited, T, 'chat-bot to die');

    const heard = nextEvent(bob, 'message', T);
    const ack = await withTimeout(alice.emitWithAck('sendMessage', 'still here?'), T, 'the ack');
    assert.equal(ack.ok, true);
    const [m] = await heard;
    assert.equal(m.user, 'alice');
    assert.equal(m.text, 'still here?');

    bot = await startBot(server);
    const who = botSays(bob, /^here: /);
    await alice.emitWithAck('sendMessage', '!who');
    assert.equal(await who, 'here: alice, bob');
  } finally {
    for (const s of users) s.close();
    for (const p of [bot, server]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
  }
});
