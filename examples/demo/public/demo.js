// The classic Socket.IO demo on the official client: one socket per namespace
// (all three share one connection), a button per kind of emit, and a log.
// ?transports=polling (or websocket) picks the Engine.IO transports.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const options = {};
  const transports = (params.get('transports') || '')
    .split(',').map((t) => t.trim()).filter((t) => t === 'polling' || t === 'websocket');
  if (transports.length) options.transports = transports;

  const main = io('/', options);
  const other = io('/some-namespace', options);
  const room = io('/room', options);

  /** One log line: [nsp] kind: payload. */
  function log(nsp, kind, payload) {
    const li = document.createElement('li');
    li.dataset.nsp = nsp;
    li.dataset.event = kind;
    const n = document.createElement('span');
    n.className = 'nsp';
    n.textContent = nsp;
    const k = document.createElement('span');
    k.className = 'kind';
    k.textContent = kind;
    const p = document.createElement('span');
    p.className = 'payload';
    p.textContent = payload === undefined ? '' : JSON.stringify(payload);
    li.append(n, k, p);
    $('log').prepend(li);
  }

  function track(socket, nsp, badge) {
    socket.on('connect', () => {
      $(badge).dataset.connected = 'true';
      log(nsp, 'connect', socket.id);
      if (nsp === '/') {
        const engine = socket.io.engine;
        $('transport').textContent = engine.transport.name;
        engine.once('upgrade', (t) => { $('transport').textContent = t.name; });
      }
    });
    socket.on('disconnect', (reason) => {
      $(badge).dataset.connected = 'false';
      log(nsp, 'disconnect', reason);
    });
    socket.on('connect_error', (err) => log(nsp, 'connect_error', err.message));
    socket.on('message', (...a) => log(nsp, 'message', a.length === 1 ? a[0] : a));
    socket.on('broadcast', (...a) => log(nsp, 'broadcast', a.length === 1 ? a[0] : a));
    socket.on('error-message', (text) => log(nsp, 'error', text));
  }
  track(main, '/', 'state-main');
  track(other, '/some-namespace', 'state-other');
  track(room, '/room', 'state-room');

  const payload = () => $('payload').value;

  $('btn-message').onclick = () => main.emit('message', payload());
  $('btn-ack').onclick = () => {
    main.timeout(5000).emit('messageAndAck', payload(), (err, reply) => {
      if (err) log('/', 'ack-timeout', err.message);
      else log('/', 'ack', reply);
    });
  };
  $('btn-broadcast').onclick = () => main.emit('broadcast', payload());
  $('btn-nsp-message').onclick = () => other.emit('message', payload());
  $('btn-nsp-broadcast').onclick = () => other.emit('broadcast', payload());
  $('btn-join').onclick = () => {
    const id = $('room-id').value.trim();
    if (!id) return;
    room.timeout(5000).emit('join', id, (err, res) => {
      if (err || res.error) return log('/room', 'error', err ? err.message : res.error);
      $('current-room').textContent = res.room;
      $('current-room').dataset.room = res.room;
      log('/room', 'joined', res.room);
    });
  };
  $('btn-room-message').onclick = () => room.emit('message', payload());
  $('btn-clear').onclick = () => $('log').replaceChildren();
})();
