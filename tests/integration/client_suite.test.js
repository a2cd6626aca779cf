// Integration tests: the client-suite app (examples/client_suite), the server
// the official socket.io-client test suite expects (tools/client_suite.sh runs
// that suite, which needs the socket.io sources). Here npm's socket.io-client
// checks, in CI, each answer the suite relies on: namespaces and their
// middlewares, events, acks both ways, binary both ways, the handshake, and
// connection state recovery.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { nextEvent, startServer, stopClientsAndServer, withTimeout } from './server.js';

const PATH = '/socket.io/';
const T = 5000; // bound for one exchange

describe('client-suite app', () => {
  let server;
  const clients = new Set();
  const client = (nsp = '/', opts = {}) => {
    const socket = io(`${server.url}${nsp}`, { path: PATH, forceNew: true, reconnectionDelay: 10, ...opts });
    clients.add(socket);
    return socket;
  };
  /** The first event `event` of a new client of `nsp` after it emitted `...send`. */
  const answer = async (event, send = [event], nsp = '/', opts = {}) => {
    const socket = client(nsp, opts);
    const got = nextEvent(socket, event, T, `'${event}'`);
    socket.emit(...send);
    const args = await got;
    socket.disconnect();
    return args;
  };

  before(async () => {
    server = await startServer({ app: 'client-suite', path: PATH, 'ping-interval': 2000 });
  });
  after(() => stopClientsAndServer(server, clients));

  test('main namespace: hi, false, utf8, dates, echo ack', async () => {
    assert.equal((await answer('hi')).length, 1, 'hi carries only its offset');
    assert.equal((await answer('false'))[0], false);
    const socket = client();
    const texts = [];
    const all = new Promise((resolve) => socket.on('takeUtf8', (t) => texts.push(t) === 5 && resolve()));
    socket.emit('getUtf8');
    await withTimeout(all, T, 'five takeUtf8');
    assert.deepEqual(texts, ['てすと', 'Я Б Г Д Ж Й', 'Ä ä Ü ü ß', 'utf8 — string', 'utf8 — string']);
    const date = await withTimeout(socket.emitWithAck('getAckDate', { test: true }), T, 'getAckDate');
    assert.ok(!Number.isNaN(Date.parse(date)), date);
    const [taken] = await answer('takeDate', ['getDate']);
    assert.equal(new Date(taken).toISOString(), taken);
    const [obj] = await answer('takeDateObj', ['getDateObj']);
    assert.equal(typeof obj.date, 'string');
    assert.equal(await withTimeout(socket.emitWithAck('echo', 123), T, 'echo'), 123);
    socket.disconnect();
  });

  test("the server's emit with ack: 'got it' only for the answer (5, {test: true})", async () => {
    const socket = client();
    socket.on('ack', (fn) => fn(5, { test: true }));
    const gotIt = nextEvent(socket, 'got it', T);
    socket.emit('ack');
    await gotIt;
    socket.disconnect();
  });

  test('binary both ways, in order', async () => {
    const [doge] = await answer('doge');
    assert.equal(Buffer.from(doge).toString(), 'asdfasdf');
    const [bin] = await answer('takebin', ['getbin']);
    assert.equal(Buffer.from(bin).toString(), 'asdfasdf');
    await answer('buffack', ['buffa', Buffer.from('x')]);
    await answer('jsonbuff-ack', ['jsonbuff', { hello: 'lol', message: Buffer.from('howdy'), goodbye: 'gotcha' }]);
    const socket = client();
    const ack = nextEvent(socket, 'abuff2-ack', T);
    socket.emit('abuff1', Buffer.from('first'));
    socket.emit('abuff2', 'please arrive second');
    await ack;
    // Text where binary belongs gets no answer: nothing before the 'hi'
    // emitted after it (one socket's events arrive in order).
    let answered = 0;
    socket.on('buffack', () => answered++);
    const hi = nextEvent(socket, 'hi', T);
    socket.emit('buffa', 'not binary');
    socket.emit('hi');
    await hi;
    assert.equal(answered, 0);
    socket.disconnect();
  });

  test('getId and getHandshake; /foo answers getId; /abc emits its handshake', async () => {
    const socket = client('/', { query: { e: 'f' } });
    assert.equal(await withTimeout(socket.emitWithAck('getId'), T, 'getId'), socket.id);
    const handshake = await withTimeout(socket.emitWithAck('getHandshake'), T, 'getHandshake');
    assert.equal(handshake.query.e, 'f');
    socket.disconnect();
    const foo = client('/foo');
    assert.equal(await withTimeout(foo.emitWithAck('getId'), T, 'getId on /foo'), foo.id);
    foo.disconnect();
    const abc = client('/abc?b=c', { auth: { a: 'b' } });
    const [shake] = await nextEvent(abc, 'handshake', T);
    assert.equal(shake.query.b, 'c');
    assert.equal(shake.auth.a, 'b');
    abc.disconnect();
  });

  test("/no refuses everyone; / refuses a query with 'fail'; /asd, /valid, /timeout_socket accept", async () => {
    const [err] = await nextEvent(client('/no'), 'connect_error', T);
    assert.equal(err.message, 'Auth failed (custom namespace)');
    const [mainErr] = await nextEvent(client('/', { query: { fail: 'true' } }), 'connect_error', T);
    assert.equal(mainErr.message, 'Auth failed (main namespace)');
    for (const nsp of ['/asd', '/valid', '/timeout_socket']) {
      const socket = client(nsp);
      await nextEvent(socket, 'connect', T, `connect of ${nsp}`);
      socket.disconnect();
    }
    const [unknown] = await nextEvent(client('/invalid'), 'connect_error', T);
    assert.equal(unknown.message, 'Invalid namespace');
  });

  test('each handshake is held 10 ms, as the suite\'s allowRequest does', async () => {
    // The time from a handshake request to its answer, over each transport:
    // the suite's "open timeout" tests expect a client with `timeout: 0` to
    // time out before the answer comes.
    const polling = async () => {
      const start = performance.now();
      const res = await withTimeout(fetch(`${server.url}${PATH}?EIO=4&transport=polling`), T, 'polling handshake');
      assert.equal(res.status, 200);
      await res.text();
      return performance.now() - start;
    };
    const websocket = async () => {
      const start = performance.now();
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}${PATH}?EIO=4&transport=websocket`);
      await withTimeout(new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      }), T, 'websocket handshake');
      const took = performance.now() - start;
      ws.close();
      return took;
    };
    for (const measure of [polling, websocket, polling, websocket, polling, websocket]) {
      const took = await measure();
      assert.ok(took >= 9.5, `${measure.name} handshake answered after ${took.toFixed(1)} ms`);
    }
  });

  test('recovers a socket whose transport closed, as the suite\'s recovery test', async () => {
    const socket = client();
    assert.equal(socket.recovered, false);
    const hi = nextEvent(socket, 'hi', T);
    socket.emit('hi'); // its offset is where the client resumes from
    await hi;
    const id = socket.id;
    const back = nextEvent(socket, 'connect', T, 'the reconnection');
    socket.io.engine.close();
    await back;
    assert.equal(socket.id, id);
    assert.equal(socket.recovered, true);
    socket.disconnect();
  });
});
