// Browser end-to-end tests: the chat and demo apps of sio-server, their pages and the
// official client bundle it serves, driven in headless Chromium (Debian's chromium
// through playwright-core). Screenshots go to build/screenshots/.
//
// CHROMIUM_BIN overrides the browser (default /usr/bin/chromium).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { chromium } from 'playwright-core';
import { startServer, withTimeout } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = path.resolve(here, '../../build/screenshots');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const T = 10000;         // bound for one step seen in a page
const ABSENCE_MS = 400;  // how long to wait to be confident that nothing arrives

let browser;
const pages = [];        // every page opened, closed after each suite
const pageErrors = [];   // uncaught errors and console errors of any page

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM} (tools/setup.sh --tests installs Debian's chromium)`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await withTimeout(chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: 30000,
  }), 40000, 'chromium to start');
});

after(async () => {
  await withTimeout(browser?.close() ?? Promise.resolve(), 10000, 'chromium to close').catch(() => {});
});

/** A page of its own (own context: no shared storage), with errors recorded. */
async function newPage(label) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  const page = await context.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (err) => pageErrors.push(`${label}: ${err.message}`));
  page.on('console', (msg) => {
    // A failed load is reported below with its URL.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      pageErrors.push(`${label}: console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) pageErrors.push(`${label}: ${res.status()} for ${res.url()}`);
  });
  pages.push(page);
  return page;
}

async function closePages() {
  const all = pages.splice(0);
  await Promise.all(all.map((p) => withTimeout(p.context().close(), 5000, 'a page to close').catch(() => {})));
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Plain HTTP GET (no browser): {status, headers, body}. */
function get(url, headers = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
  }), T, `GET ${url}`);
}

// ---------------------------------------------------------------------------
// chat

/** Opens the chat, waits for the connection, joins `room` as `name`. */
async function openChat(server, { name, room, transports }) {
  const page = await newPage(name);
  await page.goto(`${server.url}/${transports ? `?transports=${transports}` : ''}`);
  await page.locator('#status[data-state="connected"]').waitFor();
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('#join-button');
  await page.locator('#chat-view').waitFor({ state: 'visible' });
  await page.locator('#room-name', { hasText: room }).waitFor();
  return page;
}

/** Waits until the page's user list is exactly `names` (in order of arrival). */
async function expectUsers(page, names) {
  try {
    await page.waitForFunction((want) => {
      const got = [...document.querySelectorAll('#users li')].map((li) => li.textContent);
      return JSON.stringify(got) === JSON.stringify(want) &&
        document.getElementById('user-count').textContent === String(want.length);
    }, names, { timeout: T });
  } catch (err) {
    const got = await page.locator('#users li').allTextContents();
    throw new Error(`user list: want ${JSON.stringify(names)}, got ${JSON.stringify(got)} (${err.message})`);
  }
}

/** Sends `text` and waits for the ack's delivered mark. */
async function send(page, text) {
  await page.fill('#text', text);
  await page.click('#send-button');
  const mine = page.locator('#messages li.mine').filter({ hasText: text });
  await mine.locator('.state', { hasText: 'delivered' }).waitFor();
  assert.equal(await mine.getAttribute('class'), 'message mine delivered');
}

/** Waits for a message from `user` with `text` (admin messages: user 'admin'). */
async function expectMessage(page, user, text) {
  await page.locator(`#messages li.message[data-user="${user}"]:not(.mine)`)
    .filter({ hasText: text }).first().waitFor();
}

async function countText(page, text) {
  return page.locator('#messages li').filter({ hasText: text }).count();
}

function transportOf(page) {
  return page.evaluate(() => window.chatSocket.io.engine.transport.name);
}

describe('chat app in the browser', { timeout: 180000 }, () => {
  let server;
  before(async () => {
    server = await startServer({ app: 'chat', path: '/socket.io/' });
  });
  after(async () => {
    await closePages();
    await server?.stop();
  });

  test('serves its page and the client bundle as the reference does', async () => {
    const page = await get(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.match(page.body, /<script src="\/socket.io\/socket.io.js"><\/script>/);
    assert.match((await get(`${server.url}/chat.js`)).headers['content-type'], /^text\/javascript/);
    assert.match((await get(`${server.url}/chat.css`)).headers['content-type'], /^text\/css/);

    const bundle = await get(`${server.url}/socket.io/socket.io.js`);
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers['content-type'], 'application/javascript; charset=utf-8');
    assert.equal(bundle.headers['cache-control'], 'public, max-age=0');
    assert.match(bundle.headers.etag, /^"\d+\.\d+\.\d+"$/);
    assert.ok(bundle.body.includes(`Socket.IO v${bundle.headers.etag.slice(1, -1)}`));
    const again = await get(`${server.url}/socket.io/socket.io.js`, { 'if-none-match': bundle.headers.etag });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    const map = await get(`${server.url}/socket.io/socket.io.min.js.map`);
    assert.equal(map.status, 200);
    assert.equal(map.headers['content-type'], 'application/json; charset=utf-8');

    assert.equal((await get(`${server.url}/nope.html`)).status, 404);
    assert.equal((await get(`${server.url}/%2e%2e/%2e%2e/CMakeLists.txt`)).status, 404);
    // Engine.IO still answers under its path.
    const handshake = await get(`${server.url}/socket.io/?EIO=4&transport=polling`);
    assert.equal(handshake.status, 200);
    assert.match(handshake.body, /^0\{"sid":/);
  });

  test('two pages in one room chat and see the user list; another room sees nothing', async () => {
    const alice = await openChat(server, { name: 'Alice', room: 'lobby' });
    await expectUsers(alice, ['Alice']);
    const bob = await openChat(server, { name: 'Bob', room: 'lobby' });
    const carol = await openChat(server, { name: 'Carol', room: 'elsewhere' });
    await expectUsers(alice, ['Alice', 'Bob']);
    await expectUsers(bob, ['Alice', 'Bob']);
    await expectUsers(carol, ['Carol']);
    await expectMessage(alice, 'admin', 'Bob joined');
    await expectMessage(bob, 'admin', 'Welcome to lobby, Bob!');

    await send(alice, 'Hello from Alice');
    await expectMessage(bob, 'Alice', 'Hello from Alice');
    await send(bob, 'Hi Alice, Bob here <b>not bold</b>');
    await expectMessage(alice, 'Bob', 'Hi Alice, Bob here <b>not bold</b>');
    // Text stays text.
    assert.equal(await alice.locator('#messages b').count(), 0);
    // A message reaches the others once, and never its sender.
    assert.equal(await countText(bob, 'Hello from Alice'), 1);
    assert.equal(await alice.locator('#messages li:not(.mine)').filter({ hasText: 'Hello from Alice' }).count(), 0);

    await send(carol, 'Carol, alone');
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    for (const page of [alice, bob]) assert.equal(await countText(page, 'Carol'), 0);
    for (const text of ['Hello from Alice', 'Bob here', 'Bob joined'])
      assert.equal(await countText(carol, text), 0, `carol saw '${text}'`);

    await screenshot(alice, 'chat-alice');
    await screenshot(bob, 'chat-bob');
    await closePages();
  });

  test('a page forced to polling chats with a WebSocket page', async () => {
    const poller = await openChat(server, { name: 'Polly', room: 'transports', transports: 'polling' });
    const socketer = await openChat(server, { name: 'Wes', room: 'transports' });
    await expectUsers(poller, ['Polly', 'Wes']);
    await poller.locator('#transport', { hasText: 'polling' }).waitFor();
    await socketer.locator('#transport', { hasText: 'websocket' }).waitFor();
    assert.equal(await transportOf(poller), 'polling');
    assert.equal(await transportOf(socketer), 'websocket');

    await send(poller, 'sent over long-polling');
    await expectMessage(socketer, 'Polly', 'sent over long-polling');
    await send(socketer, 'sent over a WebSocket');
    await expectMessage(poller, 'Wes', 'sent over a WebSocket');
    // A burst keeps its order across transports.
    for (let i = 0; i < 5; i++) await send(socketer, `burst ${i}`);
    await expectMessage(poller, 'Wes', 'burst 4');
    const burst = (await poller.locator('#messages li[data-user="Wes"] .text').allTextContents())
      .filter((t) => t.startsWith('burst'));
    assert.deepEqual(burst, ['burst 0', 'burst 1', 'burst 2', 'burst 3', 'burst 4']);
    assert.equal(await transportOf(poller), 'polling');

    await screenshot(poller, 'chat-polling');
    await closePages();
  });

  test('switching rooms updates both rooms\' user lists', async () => {
    const ann = await openChat(server, { name: 'Ann', room: 'red' });
    const ben = await openChat(server, { name: 'Ben', room: 'red' });
    const cid = await openChat(server, { name: 'Cid', room: 'blue' });
    await expectUsers(ann, ['Ann', 'Ben']);
    await expectUsers(cid, ['Cid']);

    await ben.fill('#switch-room', 'blue');
    await ben.click('#switch-button');
    await ben.locator('#room-name', { hasText: 'blue' }).waitFor();
    await expectUsers(ann, ['Ann']);
    await expectUsers(cid, ['Cid', 'Ben']);
    await expectUsers(ben, ['Cid', 'Ben']);
    await expectMessage(ann, 'admin', 'Ben left');
    await expectMessage(cid, 'admin', 'Ben joined');

    await send(ben, 'Ben now in blue');
    await expectMessage(cid, 'Ben', 'Ben now in blue');
    await send(ann, 'Ann still in red');
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    assert.equal(await countText(ann, 'Ben now in blue'), 0);
    assert.equal(await countText(ben, 'Ann still in red'), 0);
    assert.equal(await countText(cid, 'Ann still in red'), 0);

    await screenshot(ben, 'chat-switched');

    // Closing a page is leaving: the room hears it.
    await cid.context().close();
    await expectUsers(ben, ['Ben']);
    await expectMessage(ben, 'admin', 'Cid left');
    await closePages();
  });

  test('refuses a bad name, and the page says why', async () => {
    const page = await newPage('admin');
    await page.goto(`${server.url}/`);
    await page.locator('#status[data-state="connected"]').waitFor();
    await page.fill('#name', 'admin');
    await page.click('#join-button');
    await page.locator('#join-error', { hasText: 'taken' }).waitFor();
    assert.equal(await page.locator('#chat-view').isVisible(), false);
    await closePages();
  });

  test('no page error in any chat page', () => {
    assert.deepEqual(pageErrors.splice(0), []);
  });
});

// ---------------------------------------------------------------------------
// demo

async function openDemo(server, label) {
  const page = await newPage(label);
  await page.goto(`${server.url}/`);
  for (const badge of ['#state-main', '#state-other', '#state-room'])
    await page.locator(`${badge}[data-connected="true"]`).waitFor();
  return page;
}

function logEntries(page, nsp, event, payload) {
  return page.locator(`#log li[data-nsp="${nsp}"][data-event="${event}"]`)
    .filter({ hasText: JSON.stringify(payload) });
}

async function expectLog(page, nsp, event, payload) {
  await logEntries(page, nsp, event, payload).first().waitFor();
}

async function press(page, button, payload) {
  await page.fill('#payload', payload);
  await page.click(button);
}

describe('chat app in the browser, posted to by a backend over gRPC', { timeout: 180000 }, () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sio-browser-grpc-'));
  const socketPath = path.join(scratch, 'grpc.sock');
  let server;
  let api;
  before(async () => {
    server = await startServer({ app: 'chat', path: '/socket.io/', 'grpc-listen': `unix:${socketPath}` });
    const loaded = protoLoader.loadSync('socketio/v1/socketio.proto', {
      includeDirs: [path.resolve(here, '../../protocol/proto')], keepCase: true, longs: Number,
      enums: String, defaults: true, oneofs: true,
    });
    const { ServerService } = grpc.loadPackageDefinition(loaded).socketio.v1;
    api = new ServerService(`unix:${socketPath}`, grpc.credentials.createInsecure());
  });
  after(async () => {
    api?.close();
    await closePages();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('an Emit into the chat room shows on the pages of that room only', async () => {
    const alice = await openChat(server, { name: 'Alice', room: 'lobby' });
    const carol = await openChat(server, { name: 'Carol', room: 'elsewhere' });
    const post = { user: 'backend', text: 'Posted over gRPC', time: Date.now() };
    const reply = await withTimeout(new Promise((resolve, reject) => {
      api.Emit({ target: { rooms: ['chat:lobby'] }, event: 'message',
        payload: { args: [{ json: JSON.stringify(post) }], attachments: [] } },
      (err, r) => (err ? reject(err) : resolve(r)));
    }), T, 'the Emit call');
    assert.equal(reply.recipients, 1);
    await expectMessage(alice, 'backend', 'Posted over gRPC');
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    assert.equal(await countText(carol, 'Posted over gRPC'), 0);
    await closePages();
  });
});

describe('demo app in the browser', { timeout: 180000 }, () => {
  let server;
  let a;
  let b;
  before(async () => {
    server = await startServer({ app: 'demo', path: '/socket.io/' });
  });
  after(async () => {
    await closePages();
    await server?.stop();
  });

  test('the two pages connect to all three namespaces', async () => {
    a = await openDemo(server, 'demo A');
    b = await openDemo(server, 'demo B');
  });

  test('message goes to everyone in the namespace, the sender too', async () => {
    await press(a, '#btn-message', 'to everyone');
    await expectLog(a, '/', 'message', 'to everyone');
    await expectLog(b, '/', 'message', 'to everyone');
  });

  test('messageAndAck answers the sender only', async () => {
    await press(a, '#btn-ack', 'acked');
    await expectLog(a, '/', 'ack', 'acked');
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    assert.equal(await b.locator('#log li').filter({ hasText: 'acked' }).count(), 0);
    assert.equal(await logEntries(a, '/', 'message', 'acked').count(), 0);
  });

  test('broadcast reaches everyone but the sender', async () => {
    await press(a, '#btn-broadcast', 'to the others');
    await expectLog(b, '/', 'broadcast', 'to the others');
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    assert.equal(await a.locator('#log li').filter({ hasText: 'to the others' }).count(), 0);
  });

  test('/some-namespace is isolated from /', async () => {
    await press(b, '#btn-nsp-message', 'namespaced');
    await expectLog(a, '/some-namespace', 'message', 'namespaced');
    await expectLog(b, '/some-namespace', 'message', 'namespaced');
    await press(b, '#btn-nsp-broadcast', 'namespaced broadcast');
    await expectLog(a, '/some-namespace', 'broadcast', 'namespaced broadcast');
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    for (const page of [a, b]) {
      assert.equal(await page.locator('#log li[data-nsp="/"]').filter({ hasText: 'namespaced' }).count(), 0);
      assert.equal(await page.locator('#log li[data-nsp="/room"]').filter({ hasText: 'namespaced' }).count(), 0);
    }
    assert.equal(await logEntries(b, '/some-namespace', 'broadcast', 'namespaced broadcast').count(), 0);
  });

  test('/room: messages stay in the room joined by id', async () => {
    const c = await openDemo(server, 'demo C');
    // Outside any room, the server says so.
    await press(c, '#btn-room-message', 'roomless');
    await expectLog(c, '/room', 'error', 'join a room first');

    for (const [page, id] of [[a, '7'], [b, '8'], [c, '7']]) {
      await page.fill('#room-id', id);
      await page.click('#btn-join');
      await page.locator(`#current-room[data-room="${id}"]`).waitFor();
    }
    await press(a, '#btn-room-message', 'for room 7');
    await expectLog(a, '/room', 'message', 'for room 7');
    await expectLog(c, '/room', 'message', 'for room 7');
    await press(b, '#btn-room-message', 'for room 8');
    await expectLog(b, '/room', 'message', 'for room 8');
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    assert.equal(await b.locator('#log li').filter({ hasText: 'for room 7' }).count(), 0);
    for (const page of [a, c])
      assert.equal(await page.locator('#log li').filter({ hasText: 'for room 8' }).count(), 0);

    // Joining another room leaves the first.
    await c.fill('#room-id', '8');
    await c.click('#btn-join');
    await c.locator('#current-room[data-room="8"]').waitFor();
    await press(a, '#btn-room-message', 'room 7 again');
    await expectLog(a, '/room', 'message', 'room 7 again');
    await press(b, '#btn-room-message', 'room 8 again');
    await expectLog(c, '/room', 'message', 'room 8 again');
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    assert.equal(await c.locator('#log li').filter({ hasText: 'room 7 again' }).count(), 0);

    await screenshot(a, 'demo');
  });

  test('no page error in any demo page', () => {
    assert.deepEqual(pageErrors.splice(0), []);
  });
});

// The same page with the chat played by the Python backend behind --app proxy,
// started as the README says (examples/chat_backend/chat_backend.py).
describe('chat app in the browser, played by the Python backend', { timeout: 180000 }, () => {
  let app;
  let server;
  before(async () => {
    const { spawn } = await import('node:child_process');
    app = spawn('/usr/bin/python3', [path.resolve(here, '../../examples/chat_backend/chat_backend.py'),
      '--port', '0', '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SIO_SERVER_BIN: process.env.SIO_SERVER_BIN ?? path.resolve(here, '../../build/bin/sio-server') } });
    let out = '';
    const port = await withTimeout(new Promise((resolve) => {
      app.stdout.on('data', (d) => {
        out += d;
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
    }), 20000, 'the chat backend to start its server');
    server = { url: `http://127.0.0.1:${port}` };
  });
  after(async () => {
    await closePages();
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app.once('exit', r));
      app.kill('SIGTERM');
      await withTimeout(exited, 10000, 'the chat backend to exit');
    }
  });

  test('two pages in one room chat, see the user list and the acks; a leaver is announced', async () => {
    const alice = await openChat(server, { name: 'Alice', room: 'lobby' });
    await expectUsers(alice, ['Alice']);
    const bob = await openChat(server, { name: 'Bob', room: 'lobby' });
    await expectUsers(alice, ['Alice', 'Bob']);
    await expectMessage(alice, 'admin', 'Bob joined');
    await expectMessage(bob, 'admin', 'Welcome to lobby, Bob!');
    await send(alice, 'Hello from Alice');
    await expectMessage(bob, 'Alice', 'Hello from Alice');
    await bob.close();
    await expectMessage(alice, 'admin', 'Bob left');
    await expectUsers(alice, ['Alice']);
    await screenshot(alice, 'chat-python-backend');
  });
});
