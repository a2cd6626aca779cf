// The chat page: plain JavaScript on the official socket.io client.
//
// URL parameters: ?transports=polling (or websocket, or polling,websocket)
// picks the Engine.IO transports; ?name= and ?room= fill in the form.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);

  const options = {};
  const transports = (params.get('transports') || '')
    .split(',').map((t) => t.trim()).filter((t) => t === 'polling' || t === 'websocket');
  if (transports.length) options.transports = transports;
  if (params.has('name')) $('name').value = params.get('name');
  if (params.has('room')) $('room').value = params.get('room');

  const socket = io(options);
  window.chatSocket = socket; // for the curious, in the console

  let me = null;          // {name, room} once the server accepted a join
  let wantedRoom = null;  // the room asked for last; its user list is shown

  // -- connection state ---------------------------------------------------------

  function setStatus(state, text) {
    $('status').dataset.state = state;
    $('status-text').textContent = text;
  }

  function setTransport(name) {
    $('transport').textContent = name || '';
    $('transport').dataset.transport = name || '';
  }

  socket.on('connect', () => {
    setStatus('connected', 'connected');
    const engine = socket.io.engine;
    setTransport(engine.transport.name);
    engine.once('upgrade', (transport) => setTransport(transport.name));
    // After a reconnection the server knows nothing of us: join again.
    if (me) join(me.name, me.room, { quiet: true });
  });
  socket.on('disconnect', (reason) => {
    setStatus('disconnected', `disconnected (${reason})`);
    setTransport('');
  });
  socket.on('connect_error', (err) => setStatus('disconnected', `cannot connect: ${err.message}`));
  socket.io.on('reconnect_attempt', (n) => setStatus('connecting', `reconnecting (${n})…`));

  // -- messages -----------------------------------------------------------------

  function timeOf(ms) {
    const d = new Date(typeof ms === 'number' ? ms : Date.now());
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function scrollDown() {
    const list = $('messages');
    list.scrollTop = list.scrollHeight;
  }

  /** Appends a message; every text goes in through textContent, never as HTML. */
  function addMessage({ user, text, time }, { mine = false } = {}) {
    const li = document.createElement('li');
    li.className = 'message';
    if (user === 'admin') li.classList.add('admin');
    if (mine) li.classList.add('mine', 'pending');
    li.dataset.user = user;

    if (user !== 'admin') {
      const meta = document.createElement('div');
      meta.className = 'meta';
      const from = document.createElement('span');
      from.className = 'from';
      from.textContent = mine ? 'You' : user;
      const at = document.createElement('time');
      at.textContent = timeOf(time);
      meta.append(from, at);
      li.append(meta);
    }
    const body = document.createElement('div');
    body.className = 'text';
    body.textContent = text;
    li.append(body);
    if (mine) {
      const state = document.createElement('span');
      state.className = 'state';
      state.textContent = 'sending…';
      li.append(state);
    }
    $('messages').append(li);
    scrollDown();
    return li;
  }

  function addDivider(text) {
    const li = document.createElement('li');
    li.className = 'divider';
    li.textContent = text;
    $('messages').append(li);
    scrollDown();
  }

  socket.on('message', (m) => addMessage(m));

  socket.on('roomData', ({ room, users }) => {
    if (room !== wantedRoom) return;
    const list = $('users');
    list.replaceChildren(...users.map((name) => {
      const li = document.createElement('li');
      li.textContent = name;
      if (me && name === me.name) li.classList.add('me');
      return li;
    }));
    $('user-count').textContent = String(users.length);
  });

  // -- joining and switching rooms --------------------------------------------------

  function showError(id, text) {
    $(id).textContent = text || '';
    $(id).hidden = !text;
  }

  function join(name, room, { quiet = false, errorId = 'join-error' } = {}) {
    const switching = me && me.room !== room;
    wantedRoom = room;
    if (switching) {
      $('users').replaceChildren();
      $('user-count').textContent = '0';
      addDivider(`you left ${me.room}`);
    }
    socket.timeout(5000).emit('join', { name, room }, (err, res) => {
      if (err || !res || res.error) {
        showError(errorId, err ? 'the server did not answer' : (res && res.error) || 'refused');
        if (me) wantedRoom = me.room;
        return;
      }
      showError(errorId, '');
      me = { name: res.name, room: res.room };
      $('room-name').textContent = res.room;
      $('me-name').textContent = res.name;
      document.title = `${res.room} · chat`;
      if (!quiet) {
        $('join-view').hidden = true;
        $('chat-view').hidden = false;
        $('text').focus();
      }
    });
  }

  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    join($('name').value.trim(), $('room').value.trim());
  });

  $('switch-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const room = $('switch-room').value.trim();
    if (!me || !room || room === me.room) return;
    join(me.name, room, { errorId: 'switch-error' });
    $('switch-room').value = '';
  });

  // -- sending: each message is marked delivered when the server acks it ------------

  $('send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    if (!text || !me) return;
    $('text').value = '';
    const li = addMessage({ user: me.name, text, time: Date.now() }, { mine: true });
    const state = li.querySelector('.state');
    socket.timeout(5000).emit('sendMessage', text, (err, res) => {
      li.classList.remove('pending');
      if (err || !res || res.error) {
        li.classList.add('failed');
        state.textContent = `✗ not sent${res && res.error ? `: ${res.error}` : ''}`;
      } else {
        li.classList.add('delivered');
        state.textContent = '✓ delivered';
      }
    });
  });
})();
