#!/usr/bin/python3
"""The chat of `sio-server --app chat`, written as a Python backend.

sio-server runs with `--app proxy`: every connect, event and disconnect of
its clients reaches this process over gRPC (socketio.v1.BackendService), and
each answer tells the server what to do, in one round trip: join or leave
rooms, set socket.data, emit, ack. Messages that no event answers ("X left"
after a disconnect) go through the server's own API (ServerService.Emit).
The page is the built-in chat's (examples/chat/public): same events, same
behaviour.

    examples/chat_backend/chat_backend.py            # http://localhost:3000
    examples/chat_backend/chat_backend.py --port 0   # any free port

Started this way it starts sio-server too (build/bin/sio-server, or
$SIO_SERVER_BIN) and stops it on Ctrl-C. With --backend-only ADDR it only
serves the backend on ADDR (host:port or unix:/path), for a server started
by hand with `--app proxy --backend ADDR --grpc-listen API`, and --api API.

Needs Debian's python3-grpcio and python3-grpc-tools; the stubs are generated
at start into a temporary directory as the module caf_socketio.v1 (a package
named socketio would shadow python-socketio).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MAX_NAME, MAX_ROOM, MAX_TEXT = 24, 32, 2000


def generate_stubs(scratch):
    subprocess.run(
        [sys.executable, '-m', 'grpc_tools.protoc',
         '--proto_path=caf_socketio/v1=' + os.path.join(ROOT, 'protocol', 'proto', 'socketio', 'v1'),
         '--python_out=' + scratch, '--grpc_python_out=' + scratch,
         'caf_socketio/v1/socketio.proto'], check=True)
    sys.path.insert(0, scratch)
    from caf_socketio.v1 import socketio_pb2, socketio_pb2_grpc
    return socketio_pb2, socketio_pb2_grpc


def now_ms():
    return int(time.time() * 1000)


def trimmed(value):
    return value.strip() if isinstance(value, str) else ''


def room_key(room):
    # Prefixed, so that no room typed in the page is another socket's own room.
    return 'chat:' + room


def make_service(pb, pb_grpc, api):
    """The BackendService of the chat. `api` is a ServerService stub (or None)."""

    def args_of(payload):
        return [json.loads(a.json) if a.WhichOneof('value') == 'json' else a.binary for a in payload.args]

    def payload(*values):
        return pb.Payload(args=[pb.Arg(json=json.dumps(v)) for v in values])

    def emit(event, value, room=None, except_rooms=()):
        target = pb.Target(rooms=[room] if room else [], except_rooms=list(except_rooms))
        return pb.EmitRequest(target=target, event=event, payload=payload(value))

    def admin(text):
        return {'user': 'admin', 'text': text, 'time': now_ms()}

    class Chat(pb_grpc.BackendServiceServicer):
        def __init__(self):
            # gRPC serves calls on a thread pool: the room lists are shared.
            self.lock = threading.Lock()
            self.rooms = {}  # room -> [(sid, name)] in order of arrival

        def users(self, room):
            return {'room': room, 'users': [n for _, n in self.rooms.get(room, [])]}

        def leave(self, sid, room):
            """Removes sid from room; the emits that tell the others."""
            members = self.rooms.get(room, [])
            gone = [n for s, n in members if s == sid]
            members[:] = [(s, n) for s, n in members if s != sid]
            if not members:
                self.rooms.pop(room, None)
                return []
            if not gone:
                return []
            return [emit('message', admin(gone[0] + ' left'), room_key(room)),
                    emit('roomData', self.users(room), room_key(room))]

        def Connect(self, request, context):
            return pb.ConnectResponse(accept=pb.Accept(data_json='{}'))

        def Event(self, request, context):
            data = json.loads(request.data_json or '{}') or {}
            values = args_of(request.payload)
            first = values[0] if values else None
            if request.event == 'join':
                return self.join(request.socket_id, data, first)
            if request.event == 'sendMessage':
                return self.send(request.socket_id, data, first)
            return pb.EventResponse(ack=payload({'error': 'unknown event ' + request.event}))

        def join(self, sid, data, request):
            def reply(value, **more):
                return pb.EventResponse(ack=payload(value), **more)
            if not isinstance(request, dict):
                return reply({'error': 'expected {name, room}'})
            name, room = trimmed(request.get('name')), trimmed(request.get('room'))
            if not name or len(name) > MAX_NAME:
                return reply({'error': 'a name is 1 to 24 characters'})
            if not room or len(room) > MAX_ROOM:
                return reply({'error': 'a room is 1 to 32 characters'})
            if name.lower() == 'admin':
                return reply({'error': 'that name is taken'})
            if data.get('room') == room and data.get('name') == name:
                return reply({'room': room, 'name': name})
            emits, leave = [], []
            with self.lock:
                if 'room' in data:
                    leave = [room_key(data['room'])]
                    emits += self.leave(sid, data['room'])
                self.rooms.setdefault(room, []).append((sid, name))
                users = self.users(room)
            emits += [emit('message', admin('Welcome to %s, %s!' % (room, name)), sid),
                      emit('message', admin(name + ' joined'), room_key(room), [sid]),
                      emit('roomData', users, room_key(room))]
            # Applied in this order: leave, join, data, emits, then the ack.
            return reply({'room': room, 'name': name}, leave=leave, join=[room_key(room)],
                         set_data_json=json.dumps({'name': name, 'room': room}), emits=emits)

        def send(self, sid, data, text):
            def reply(value, **more):
                return pb.EventResponse(ack=payload(value), **more)
            if 'room' not in data:
                return reply({'error': 'join a room first'})
            if not isinstance(text, str):
                return reply({'error': 'expected text'})
            text = text.strip()
            if not text:
                return reply({'error': 'empty message'})
            if len(text) > MAX_TEXT:
                return reply({'error': 'message too long'})
            t = now_ms()
            message = {'user': data['name'], 'text': text, 'time': t}
            return reply({'ok': True, 'time': t},
                         emits=[emit('message', message, room_key(data['room']), [sid])])

        def Disconnect(self, request, context):
            data = json.loads(request.data_json or '{}') or {}
            if isinstance(data, dict) and 'room' in data:
                with self.lock:
                    emits = self.leave(request.socket_id, data['room'])
                # A disconnect answers nothing: the others hear of it through
                # the server's API.
                for e in emits if api else []:
                    try:
                        api.Emit(e, timeout=5)
                    except grpc.RpcError as err:
                        print('chat_backend: Emit failed: %s' % err.code(), file=sys.stderr)
            return pb.DisconnectResponse()

    return Chat()


def serve(pb, pb_grpc, address, api_address):
    api = None
    if api_address:
        api = pb_grpc.ServerServiceStub(grpc.insecure_channel(api_address))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    pb_grpc.add_BackendServiceServicer_to_server(make_service(pb, pb_grpc, api), server)
    port = server.add_insecure_port(address)
    if port == 0 and not address.startswith('unix:'):
        raise SystemExit('chat_backend: cannot listen on ' + address)
    server.start()
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, default=3000, help='port of the chat page (0: any)')
    parser.add_argument('--bind', default='0.0.0.0')
    parser.add_argument('--backend-only', metavar='ADDR', help='only serve the backend on ADDR')
    parser.add_argument('--api', metavar='ADDR', help="the server's gRPC API (with --backend-only)")
    opts = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix='chat-backend-')
    try:
        pb, pb_grpc = generate_stubs(scratch)
        if opts.backend_only:
            server = serve(pb, pb_grpc, opts.backend_only, opts.api)
            print('chat_backend: serving BackendService on ' + opts.backend_only, flush=True)
            server.wait_for_termination()
            return 0
        backend = 'unix:' + os.path.join(scratch, 'backend.sock')
        api = 'unix:' + os.path.join(scratch, 'api.sock')
        server = serve(pb, pb_grpc, backend, api)
        binary = os.environ.get('SIO_SERVER_BIN', os.path.join(ROOT, 'build', 'bin', 'sio-server'))
        sio = subprocess.Popen([binary, '--app', 'proxy', '--backend', backend, '--grpc-listen', api,
                                '--bind', opts.bind, '--port', str(opts.port)])
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        while not stop.is_set() and sio.poll() is None:
            stop.wait(0.5)
        if sio.poll() is None:
            sio.terminate()
        code = sio.wait()
        server.stop(1).wait()
        return code
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
