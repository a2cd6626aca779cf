"""Integration tests: the real sio-server (app contract, examples/contract) driven by the
python-socketio client (Debian's python3-socketio 5.7, run with /usr/bin/python3).

The server binary comes from $SIO_SERVER_BIN, else ../../../build/bin/sio-server relative
to this file. One server is started for the whole module on port 0; the port is parsed
from its first stdout line ("... listening on http://HOST:PORT/PATH").
"""

import logging
import os
import re
import subprocess
import threading
import time
import unittest

import socketio

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_BIN = os.path.abspath(os.environ.get('SIO_SERVER_BIN')
                             or os.path.join(HERE, '..', '..', '..', 'build', 'bin', 'sio-server'))
T = 5.0  # generous bound for a single exchange, seconds
ABSENCE = 0.3  # how long to wait to be confident that nothing arrives
LISTENING_RE = re.compile(r'listening on https?://[^\s:/]+:(\d+)')

# The clients' warnings (a refused request, an unexpected answer, an aborted session)
# go to stderr, which ctest shows for a failed test: they tell why an exchange timed out.
CLIENT_LOG = logging.getLogger('python-clients')
CLIENT_LOG.addHandler(logging.StreamHandler())
CLIENT_LOG.setLevel(logging.WARNING)

_server = None
_url = None


def _read_first_line(proc, timeout):
    """The server's first stdout line, or None after `timeout` seconds."""
    result = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else None


def setUpModule():
    global _server, _url
    if not os.path.exists(SERVER_BIN):
        raise RuntimeError('sio-server binary not found at %s (set SIO_SERVER_BIN)' % SERVER_BIN)
    # --ping-timeout: room for the stalls of a loaded machine (see features.test.js).
    _server = subprocess.Popen(
        [SERVER_BIN, '--app', 'contract', '--bind', '127.0.0.1', '--port', '0',
         '--ping-interval', '300', '--ping-timeout', '2000', '--connect-timeout', '1000'],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = _read_first_line(_server, 10)
    match = LISTENING_RE.search(line or '')
    if not match:
        _stop_server()
        raise RuntimeError('sio-server did not print its listening line, got: %r' % line)
    # keep draining stdout so the server never blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in _server.stdout], daemon=True).start()
    _url = 'http://127.0.0.1:%s' % match.group(1)


def _stop_server():
    global _server
    if _server is None:
        return
    _server.terminate()
    try:
        _server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        _server.kill()
        _server.wait(timeout=5)
    _server = None


def tearDownModule():
    _stop_server()


class Recorder:
    """Records every occurrence of an event (each as a tuple of its args)."""

    def __init__(self, client, event, namespace='/'):
        self.events = []
        self._cond = threading.Condition()
        client.on(event, self._handler, namespace=namespace)

    def _handler(self, *args):
        with self._cond:
            self.events.append(args)
            self._cond.notify_all()

    def wait_for(self, n, timeout=T):
        """Waits until at least `n` events arrived; returns the first `n`."""
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.events) >= n, timeout=timeout)
        if not ok:
            raise AssertionError('timed out after %ss waiting for %d events, got %d: %r'
                                 % (timeout, n, len(self.events), self.events))
        return self.events[:n]


class ClientTestMixin:
    """Scenarios run once per transport selection (`transports`, None = default)."""

    transports = None
    expected_transport = None

    def setUp(self):
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            try:
                client.disconnect()
            except Exception:
                pass

    def connect(self, auth=None, namespaces=None):
        """A connected client, its "auth" Recorder already holding the first event."""
        client = socketio.Client(reconnection=False, logger=CLIENT_LOG, engineio_logger=CLIENT_LOG)
        self.clients.append(client)
        auth_rec = Recorder(client, 'auth')
        kwargs = {'transports': self.transports, 'wait_timeout': T}
        if auth is not None:
            kwargs['auth'] = auth
        if namespaces is not None:
            kwargs['namespaces'] = namespaces
        client.connect(_url, **kwargs)
        auth_rec.wait_for(1)
        return client, auth_rec

    def round_trip(self, client, args):
        back = Recorder(client, 'message-back')
        client.emit('message', tuple(args))
        (got,) = back.wait_for(1)
        self.assertEqual(list(got), list(args))

    def test_connect_with_auth(self):
        auth = {'token': 'abc', 'user': {'id': 7, 'roles': ['a', 'b']}, 'n': 1.5, 'ü': 'ß'}
        client, auth_rec = self.connect(auth=auth)
        self.assertEqual(auth_rec.events[0], (auth,))
        if self.expected_transport:
            deadline = time.monotonic() + T
            while client.transport() != self.expected_transport and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(client.transport(), self.expected_transport)

    def test_connect_without_auth(self):
        _, auth_rec = self.connect()
        self.assertEqual(auth_rec.events[0], ({},))

    def test_message_back(self):
        client, _ = self.connect()
        self.round_trip(client, ['text ü 日本 😀', 42, {'a': [1, 2, {'b': None}], 'c': True},
                                 [1, 'two', [3.5, -4]]])
        self.round_trip(client, [0, -1, 1.5, 2 ** 53 - 1, '', [], {}, False])
        self.round_trip(client, ['single'])

    def test_echo_ack(self):
        client, _ = self.connect()
        payload = {'hello': 'world', 'list': [1, 2.5, 'x', None, {'deep': ['ö']}]}
        self.assertEqual(client.call('echo', payload, timeout=T), payload)
        self.assertEqual(client.call('echo', 'plain', timeout=T), 'plain')
        self.assertEqual(client.call('echo', 17, timeout=T), 17)

    def test_message_with_ack(self):
        client, _ = self.connect()
        # several ack args come back as a tuple, a single one as the value itself
        self.assertEqual(client.call('message-with-ack', ('a', 1, {'b': 2}), timeout=T),
                         ('a', 1, {'b': 2}))
        self.assertEqual(client.call('message-with-ack', ['only'], timeout=T), ['only'])

    def test_binary_message_back(self):
        client, _ = self.connect()
        blob = bytes(range(256)) * 4
        self.round_trip(client, [b'\x00\x01\x02\xff'])
        self.round_trip(client, [blob, 'between', {'file': b'abc', 'parts': [b'', b'\xfe' * 3, 7]},
                                 [{'deep': [b'x' * 70000]}]])

    def test_binary_echo_ack(self):
        client, _ = self.connect()
        self.assertEqual(client.call('echo', b'\x00binary\xff', timeout=T), b'\x00binary\xff')
        payload = {'blob': b'\x01\x02', 'list': [b'\x03', {'b': b'\x04' * 10}], 'n': 1}
        self.assertEqual(client.call('echo', payload, timeout=T), payload)

    def test_rooms_broadcast(self):
        room = 'room-py-%s' % self.__class__.__name__
        a, _ = self.connect()
        b, _ = self.connect()
        c, _ = self.connect()
        self.assertIs(a.call('join', room, timeout=T), True)
        self.assertIs(b.call('join', room, timeout=T), True)
        ra, rb, rc = Recorder(a, 'msg'), Recorder(b, 'msg'), Recorder(c, 'msg')
        payload = {'text': 'to the room', 'n': [1, 2], 'bin': b'\x07\x07'}
        a.emit('broadcast', (room, payload))
        self.assertEqual(ra.wait_for(1), [(payload,)])
        self.assertEqual(rb.wait_for(1), [(payload,)])
        time.sleep(ABSENCE)
        self.assertEqual(len(ra.events), 1)
        self.assertEqual(len(rb.events), 1)
        self.assertEqual(rc.events, [])

        self.assertIs(b.call('leave', room, timeout=T), True)
        c.emit('broadcast', (room, 'second'))
        self.assertEqual(ra.wait_for(2)[1], ('second',))
        time.sleep(ABSENCE)
        self.assertEqual(len(rb.events), 1)
        self.assertEqual(rc.events, [])

    def test_custom_namespace(self):
        client = socketio.Client(reconnection=False, logger=CLIENT_LOG, engineio_logger=CLIENT_LOG)
        self.clients.append(client)
        root = Recorder(client, 'auth', namespace='/')
        custom = Recorder(client, 'auth', namespace='/custom')
        client.connect(_url, transports=self.transports, namespaces=['/', '/custom'],
                       auth={'who': 'py'}, wait_timeout=T)
        self.assertEqual(root.wait_for(1), [({'who': 'py'},)])
        self.assertEqual(custom.wait_for(1), [({'who': 'py'},)])
        self.assertEqual(client.call('echo', 'via /', timeout=T), 'via /')

    # python-engineio 4.3's client rejects a polling response of more than 16 packets
    # ("Unexpected packet from server, aborting"), which any server answering a burst
    # over polling produces; over polling the burst therefore goes out in steps of 10.
    BURST_STEP = 10

    def test_burst_in_order(self):
        client, _ = self.connect()
        back = Recorder(client, 'message-back')
        n = 200
        step = self.BURST_STEP if client.transport() == 'polling' else n
        for start in range(0, n, step):
            for i in range(start, start + step):
                client.emit('message', (i, {'i': i}))
            back.wait_for(start + step, timeout=15)
        got = back.wait_for(n, timeout=15)
        self.assertEqual(got, [(i, {'i': i}) for i in range(n)])


class WebSocketOnly(ClientTestMixin, unittest.TestCase):
    transports = ['websocket']
    expected_transport = 'websocket'


class PollingOnly(ClientTestMixin, unittest.TestCase):
    transports = ['polling']
    expected_transport = 'polling'


class DefaultTransports(ClientTestMixin, unittest.TestCase):
    """polling first, then the upgrade to websocket"""
    transports = None
    expected_transport = 'websocket'


class MixedTransports(unittest.TestCase):
    def test_room_members_over_polling_and_websocket(self):
        clients = []
        try:
            recs = []
            for transports in (['polling'], ['websocket']):
                client = socketio.Client(reconnection=False, logger=CLIENT_LOG, engineio_logger=CLIENT_LOG)
                clients.append(client)
                recs.append(Recorder(client, 'msg'))
                client.connect(_url, transports=transports, wait_timeout=T)
                self.assertIs(client.call('join', 'room-py-mixed', timeout=T), True)
            clients[0].emit('broadcast', ('room-py-mixed', {'hi': 'both'}))
            for rec in recs:
                self.assertEqual(rec.wait_for(1), [({'hi': 'both'},)])
        finally:
            for client in clients:
                client.disconnect()

    def test_unknown_namespace_is_rejected(self):
        client = socketio.Client(reconnection=False, logger=CLIENT_LOG, engineio_logger=CLIENT_LOG)
        errors = []
        got_error = threading.Event()

        def on_error(data=None):
            errors.append(data)
            got_error.set()

        client.on('connect_error', on_error, namespace='/nope')
        try:
            with self.assertRaises(socketio.exceptions.ConnectionError):
                client.connect(_url, transports=['websocket'], namespaces=['/nope'], wait_timeout=T)
            self.assertTrue(got_error.wait(T), 'connect_error on /nope')
            self.assertEqual(errors[0], {'message': 'Invalid namespace'})
        finally:
            client.disconnect()


if __name__ == '__main__':
    unittest.main(verbosity=2)
