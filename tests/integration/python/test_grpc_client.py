"""Integration tests of the gRPC API with Debian's python3-grpcio: the real sio-server
(app contract) with python-socketio clients, raw WebSocket sockets and official
socket.io-client sockets (in Node, socket_io_clients.js) connected,
driven through stubs generated from the committed .proto at test time.

The stubs are generated as the module caf_socketio.v1 (--proto_path maps
caf_socketio/v1 to protocol/proto/socketio/v1), so that they never shadow
python-socketio's `socketio` package.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import grpc
import socketio
import websocket

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
SERVER_BIN = os.path.abspath(os.environ.get('SIO_SERVER_BIN')
                             or os.path.join(ROOT, 'build', 'bin', 'sio-server'))
T = 5.0
ABSENCE = 0.3
TOKEN = 'python-test-secret'
LISTENING_RE = re.compile(r'listening on https?://[^\s:/]+:(\d+)')

_scratch = tempfile.mkdtemp(prefix='sio-grpc-py-')
_server = None
_port = None
pb = None
pb_grpc = None


def _generate_stubs():
    subprocess.run(
        [sys.executable, '-m', 'grpc_tools.protoc',
         '--proto_path=caf_socketio/v1=' + os.path.join(ROOT, 'protocol', 'proto', 'socketio', 'v1'),
         '--python_out=' + _scratch, '--grpc_python_out=' + _scratch,
         'caf_socketio/v1/socketio.proto'], check=True)
    sys.path.insert(0, _scratch)
    global pb, pb_grpc
    from caf_socketio.v1 import socketio_pb2, socketio_pb2_grpc
    pb, pb_grpc = socketio_pb2, socketio_pb2_grpc


def setUpModule():
    global _server, _port
    _generate_stubs()
    _server = subprocess.Popen(
        [SERVER_BIN, '--app', 'contract', '--bind', '127.0.0.1', '--port', '0',
         '--grpc-listen', 'unix:' + os.path.join(_scratch, 'api.sock')],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=dict(os.environ, SIO_GRPC_TOKENS=TOKEN + ':admin'))
    line = []
    reader = threading.Thread(target=lambda: line.append(_server.stdout.readline()), daemon=True)
    reader.start()
    reader.join(10)
    match = LISTENING_RE.search(line[0] if line else '')
    if not match:
        _server.kill()
        raise RuntimeError('sio-server did not start: %r' % line)
    _port = int(match.group(1))
    threading.Thread(target=lambda: [None for _ in _server.stdout], daemon=True).start()


def tearDownModule():
    if _server:
        _server.terminate()
        try:
            _server.wait(5)
        except subprocess.TimeoutExpired:
            _server.kill()
    shutil.rmtree(_scratch, ignore_errors=True)


def payload(*values):
    args = []
    for v in values:
        args.append(pb.Arg(binary=v) if isinstance(v, bytes) else pb.Arg(json=json.dumps(v)))
    return pb.Payload(args=args)


class Recorder:
    """Collects the arguments of one event on a python-socketio client."""

    def __init__(self, client, event):
        self.calls = []
        self.cond = threading.Condition()
        client.on(event, self._handler)

    def _handler(self, *args):
        with self.cond:
            self.calls.append(list(args))
            self.cond.notify_all()

    def wait(self, timeout=T):
        with self.cond:
            self.cond.wait_for(lambda: self.calls, timeout)
            return self.calls[0] if self.calls else None


def raw_socket(nsp='/'):
    """A Socket.IO socket over a bare WebSocket: returns (ws, sid)."""
    ws = websocket.create_connection(
        'ws://127.0.0.1:%d/socket.io/?EIO=4&transport=websocket' % _port, timeout=T)
    assert ws.recv().startswith('0')
    prefix = '' if nsp == '/' else nsp + ','
    ws.send('40' + prefix)
    reply = ws.recv()
    assert reply.startswith('40' + prefix), reply
    sid = json.loads(reply[len('40' + prefix):])['sid']
    return ws, sid


class NodeClients:
    """Official socket.io-client sockets in a Node process (socket_io_clients.js):
    what they receive, as that script reports it."""

    def __init__(self, count):
        self.facts = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            ['node', os.path.join(HERE, 'socket_io_clients.js'),
             'http://127.0.0.1:%d' % _port, str(count)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.ids = self.wait(lambda f: 'ids' in f)['ids']

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.facts.append(json.loads(line))
                self.cond.notify_all()

    def wait(self, pred, timeout=T):
        """The first fact for which pred holds."""
        with self.cond:
            found = self.cond.wait_for(lambda: next((f for f in self.facts if pred(f)), None), timeout)
        if found is None:
            raise AssertionError('socket.io-client never reported it; it said %r' % self.facts)
        return found

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(T)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class GrpcApiTest(unittest.TestCase):
    def setUp(self):
        self.channel = grpc.insecure_channel('unix:' + os.path.join(_scratch, 'api.sock'))
        self.api = pb_grpc.ServerServiceStub(self.channel)
        self.md = [('authorization', 'Bearer ' + TOKEN)]
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.disconnect()
        self.channel.close()

    def client(self):
        c = socketio.Client()
        c.connect('http://127.0.0.1:%d' % _port, transports=['websocket'], wait_timeout=T)
        self.clients.append(c)
        return c

    def test_emit_to_a_room_except_a_room_and_a_socket_id(self):
        a, b, c = self.client(), self.client(), self.client()
        for s in (a, b, c):
            self.assertEqual(s.call('join', 'py-room', timeout=T), True)
        self.assertEqual(b.call('join', 'py-muted', timeout=T), True)
        got_a, got_b = Recorder(a, 'news'), Recorder(b, 'news')
        got_c, got_c_direct = Recorder(c, 'news'), Recorder(c, 'direct')
        # Except a room and except a socket id (a socket's own room).
        r = self.api.Emit(pb.EmitRequest(
            target=pb.Target(rooms=['py-room'], except_rooms=['py-muted', c.get_sid()]),
            event='news', payload=payload('hi', {'n': 1})), metadata=self.md, timeout=T)
        self.assertEqual(r.recipients, 1)
        self.assertEqual(got_a.wait(), ['hi', {'n': 1}])
        self.assertIsNone(got_b.wait(ABSENCE))
        self.assertIsNone(got_c.wait(0))
        got_c = got_c_direct
        r = self.api.Emit(pb.EmitRequest(target=pb.Target(rooms=[c.get_sid()]), event='direct',
                                         payload=payload(1)), metadata=self.md, timeout=T)
        self.assertEqual(r.recipients, 1)
        self.assertEqual(got_c.wait(), [1])

    def test_binary_arguments_arrive_as_bytes(self):
        a = self.client()
        got = Recorder(a, 'blob')
        p = payload(b'\x01\x02', {'doc': {'_placeholder': True, 'num': 0}})
        p.attachments.append(b'abc')
        self.api.Emit(pb.EmitRequest(target=pb.Target(rooms=[a.get_sid()]), event='blob', payload=p),
                      metadata=self.md, timeout=T)
        self.assertEqual(got.wait(), [b'\x01\x02', {'doc': b'abc'}])

    def node_clients(self, count):
        clients = NodeClients(count)
        self.addCleanup(clients.close)
        return clients

    def test_binary_arguments_arrive_as_buffers_at_socket_io_client(self):
        node = self.node_clients(1)
        p = payload(b'\x01\x02', {'doc': {'_placeholder': True, 'num': 0}, 'name': 'x'})
        p.attachments.append(b'abc')
        r = self.api.Emit(pb.EmitRequest(target=pb.Target(rooms=[node.ids[0]]), event='blob', payload=p),
                          metadata=self.md, timeout=T)
        self.assertEqual(r.recipients, 1)
        got = node.wait(lambda f: f.get('event') == 'blob')
        # Buffers, at the top and nested (socket_io_clients.js shows a Buffer as {"buffer": base64}).
        self.assertEqual(got['args'], [{'buffer': 'AQI='}, {'doc': {'buffer': 'YWJj'}, 'name': 'x'}])

    def test_emit_with_ack_acked_silent_and_disconnected(self):
        acker, leaver = self.client(), self.client()
        # python-socketio acks every event that asks for it, so the silent one is a
        # bare WebSocket that never answers.
        silent, silent_id = raw_socket()
        self.addCleanup(silent.close)
        ids = [acker.get_sid(), silent_id, leaver.get_sid()]
        self.api.SocketsJoin(pb.SocketsJoinRequest(target=pb.Target(rooms=ids), rooms=['py-ask']),
                             metadata=self.md, timeout=T)
        acker.on('q', lambda x: x * 2)

        def leave(_x):
            threading.Thread(target=leaver.disconnect).start()
        leaver.on('q', leave)
        self.clients.remove(leaver)
        r = self.api.EmitWithAck(pb.EmitWithAckRequest(
            target=pb.Target(rooms=['py-ask']), event='q', payload=payload(21), timeout_ms=800),
            metadata=self.md, timeout=T)
        by = {a.socket_id: a for a in r.acks}
        self.assertEqual((r.expected, r.complete), (3, False))
        self.assertEqual(by[ids[0]].status, pb.ACK_STATUS_ACKED)
        self.assertEqual(by[ids[0]].payload.args[0].json, '42')
        self.assertEqual(by[ids[1]].status, pb.ACK_STATUS_TIMED_OUT)
        self.assertEqual(by[ids[2]].status, pb.ACK_STATUS_DISCONNECTED)

    def test_fetch_sockets_pages_over_250_sockets(self):
        sockets = [raw_socket('/custom') for _ in range(250)]
        try:
            seen, token, pages = [], '', 0
            while True:
                # No limit: pages of 100.
                r = self.api.FetchSockets(pb.FetchSocketsRequest(
                    target=pb.Target(namespace='/custom'), page_token=token),
                    metadata=self.md, timeout=T)
                pages += 1
                self.assertEqual(len(r.sockets), 100 if r.next_page_token else 50)
                seen.extend(s.id for s in r.sockets)
                token = r.next_page_token
                if not token:
                    break
            self.assertEqual(pages, 3)
            self.assertEqual(seen, sorted(sid for _, sid in sockets))
        finally:
            for ws, _ in sockets:
                ws.close()

    def test_batch_join_then_emit(self):
        a = self.client()
        got = Recorder(a, 'welcome')
        r = self.api.Batch(pb.BatchRequest(commands=[
            pb.Command(sockets_join=pb.SocketsJoinRequest(target=pb.Target(rooms=[a.get_sid()]),
                                                          rooms=['py-lobby'])),
            pb.Command(emit=pb.EmitRequest(target=pb.Target(rooms=['py-lobby']), event='welcome',
                                           payload=payload('in'))),
        ]), metadata=self.md, timeout=T)
        self.assertEqual([x.code for x in r.results], [0, 0])
        self.assertEqual(r.results[1].emit.recipients, 1)
        self.assertEqual(got.wait(), ['in'])

    def test_disconnect_sockets_leaves_the_namespace_or_closes_the_connection(self):
        (kept, kept_id), (closed, closed_id) = raw_socket(), raw_socket()
        try:
            r = self.api.DisconnectSockets(pb.DisconnectSocketsRequest(
                target=pb.Target(rooms=[kept_id]), close=False), metadata=self.md, timeout=T)
            self.assertEqual(r.sockets, 1)
            # A namespace DISCONNECT (after the app's "auth" event); the connection stays.
            self.assertEqual([f for f in (kept.recv(), kept.recv()) if not f.startswith('42')], ['41'])
            r = self.api.DisconnectSockets(pb.DisconnectSocketsRequest(
                target=pb.Target(rooms=[closed_id]), close=True), metadata=self.md, timeout=T)
            self.assertEqual(r.sockets, 1)
            frames = []
            try:
                while True:
                    frame = closed.recv()
                    if not frame:
                        break
                    frames.append(frame)
            except websocket.WebSocketConnectionClosedException:
                pass
            # The connection ends: its WebSocket closes (after the app's "auth" event).
            self.assertTrue(all(f.startswith('42') or f in ('41', '1') for f in frames), frames)
        finally:
            kept.close()
            closed.close()

    def test_disconnect_sockets_reasons_at_socket_io_client(self):
        node = self.node_clients(3)
        left, closed, stays = node.ids
        r = self.api.DisconnectSockets(pb.DisconnectSocketsRequest(
            target=pb.Target(rooms=[left]), close=False), metadata=self.md, timeout=T)
        self.assertEqual(r.sockets, 1)
        self.assertEqual(node.wait(lambda f: f.get('socket') == 0 and 'disconnect' in f)['disconnect'],
                         'io server disconnect')
        r = self.api.DisconnectSockets(pb.DisconnectSocketsRequest(
            target=pb.Target(rooms=[closed]), close=True), metadata=self.md, timeout=T)
        self.assertEqual(r.sockets, 1)
        # As with socket.io's disconnectSockets(true): the DISCONNECT comes before the close.
        self.assertEqual(node.wait(lambda f: f.get('socket') == 1 and 'disconnect' in f)['disconnect'],
                         'io server disconnect')
        # The third was not selected: it is still there.
        r = self.api.CountSockets(pb.CountSocketsRequest(target=pb.Target(rooms=[stays])),
                                  metadata=self.md, timeout=T)
        self.assertEqual(r.sockets, 1)
        self.assertFalse([f for f in node.facts if f.get('socket') == 2 and 'disconnect' in f])

    def test_errors_carry_status_and_reason(self):
        with self.assertRaises(grpc.RpcError) as e:
            self.api.Emit(pb.EmitRequest(event='x'), timeout=T)
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn(('sio-error-reason', 'MISSING_TOKEN'), e.exception.trailing_metadata())
        with self.assertRaises(grpc.RpcError) as e:
            self.api.Emit(pb.EmitRequest(event='connect'), metadata=self.md, timeout=T)
        self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn(('sio-error-reason', 'RESERVED_EVENT_NAME'), e.exception.trailing_metadata())

    def test_watch_events_sequence_with_a_gap(self):
        # A watcher with a buffer of 4 that reads nothing while 60 client events of
        # 200 kB come: once the transport's windows are full it drops, then tells
        # how many in one gap, whose seq is that many + 1 past the one before.
        ws, sid = raw_socket()
        self.addCleanup(ws.close)
        stream = self.api.WatchEvents(pb.WatchEventsRequest(
            kinds=[pb.WATCH_KIND_CLIENT_EVENT], event_names=['py-blob'], include_payload=True,
            buffer=4, overflow=pb.WATCH_OVERFLOW_DROP), metadata=self.md, timeout=4 * T)
        self.addCleanup(stream.cancel)
        stream.initial_metadata()  # the server watches from here on
        blob = 'x' * 200000
        for i in range(60):
            ws.send('42["py-blob","%s",%d]' % (blob, i))
        # Events are handled in order: once this is answered, all 60 were reported.
        ws.send('421["echo","done"]')
        while not ws.recv().startswith('431'):
            pass
        messages, accounted = [], 0
        for m in stream:
            messages.append(m)
            accounted += m.gap.dropped if m.WhichOneof('event') == 'gap' else 1
            if accounted >= 60:
                break
        self.assertEqual(accounted, 60)
        kinds = [m.WhichOneof('event') for m in messages]
        self.assertIn('gap', kinds)
        self.assertEqual(set(kinds), {'client_event', 'gap'})
        self.assertTrue(all(m.socket_id == sid for m in messages if m.WhichOneof('event') == 'client_event'))
        prev = 0
        for m in messages:
            step = m.gap.dropped + 1 if m.WhichOneof('event') == 'gap' else 1
            self.assertEqual(m.seq, prev + step)
            prev = m.seq
        got = [json.loads(m.client_event.payload.args[1].json)
               for m in messages if m.WhichOneof('event') == 'client_event']
        self.assertEqual(got, sorted(set(got)))


if __name__ == '__main__':
    unittest.main()
