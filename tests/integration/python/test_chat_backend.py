"""The chat backends (examples/chat_backend: Python, or Node with CHAT_BACKEND=node)
behind `sio-server --app proxy`, started in one command as the README says, with Debian's python3-socketio clients:
joins, the room's user list, admin messages, acks, room isolation, and "X left"
after a disconnect (which the backend sends through the server's gRPC API)."""
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import unittest

import socketio

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
SERVER_BIN = os.environ.get('SIO_SERVER_BIN', os.path.join(ROOT, 'build', 'bin', 'sio-server'))
LISTENING_RE = re.compile(r'listening on https?://[^\s:/]+:(\d+)')
T = 5

_app = None
_port = None


def setUpModule():
    global _app, _port
    if os.environ.get('CHAT_BACKEND') == 'node':
        command = ['node', os.path.join(ROOT, 'examples', 'chat_backend', 'chat_backend.cjs')]
    else:
        command = [sys.executable, os.path.join(ROOT, 'examples', 'chat_backend', 'chat_backend.py')]
    _app = subprocess.Popen(
        command + ['--port', '0', '--bind', '127.0.0.1'],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=dict(os.environ, SIO_SERVER_BIN=SERVER_BIN))
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in _app.stdout], daemon=True).start()
    while _port is None:
        m = LISTENING_RE.search(lines.get(timeout=20))
        if m:
            _port = int(m.group(1))


def tearDownModule():
    if _app:
        _app.send_signal(signal.SIGTERM)
        try:
            _app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _app.kill()


class Client:
    """A python-socketio client that queues the chat's messages and room data."""

    def __init__(self):
        self.sio = socketio.Client(reconnection=False)
        self.messages = queue.Queue()
        self.room_data = queue.Queue()
        self.sio.on('message', self.messages.put)
        self.sio.on('roomData', self.room_data.put)
        self.sio.connect('http://127.0.0.1:%d' % _port, transports=['websocket'], wait_timeout=T)

    def join(self, name, room):
        return self.sio.call('join', {'name': name, 'room': room}, timeout=T)

    def say(self, text):
        return self.sio.call('sendMessage', text, timeout=T)

    def next_message(self, match=lambda m: True):
        while True:
            m = self.messages.get(timeout=T)
            if match(m):
                return m

    def users(self, room, expected):
        while True:
            d = self.room_data.get(timeout=T)
            if d['room'] == room and d['users'] == expected:
                return d

    def close(self):
        self.sio.disconnect()


class ChatBackendTest(unittest.TestCase):
    def test_two_users_chat_in_a_room_and_see_each_other_come_and_go(self):
        ann, bob, eve = Client(), Client(), Client()
        try:
            self.assertEqual(ann.join('ann', 'py'), {'room': 'py', 'name': 'ann'})
            self.assertEqual(ann.next_message()['text'], 'Welcome to py, ann!')
            ann.users('py', ['ann'])
            self.assertEqual(bob.join('bob', 'py'), {'room': 'py', 'name': 'bob'})
            self.assertEqual(ann.next_message()['text'], 'bob joined')
            ann.users('py', ['ann', 'bob'])
            bob.users('py', ['ann', 'bob'])
            eve.join('eve', 'elsewhere')

            ack = bob.say('  hello ann ')
            self.assertTrue(ack['ok'])
            m = ann.next_message(lambda m: m['user'] != 'admin')
            self.assertEqual((m['user'], m['text'], m['time']), ('bob', 'hello ann', ack['time']))
            self.assertTrue(eve.messages.get(timeout=T)['text'].startswith('Welcome'))

            bob.close()
            self.assertEqual(ann.next_message()['text'], 'bob left')
            ann.users('py', ['ann'])
            # Nothing of room "py" reached the other room.
            self.assertTrue(eve.messages.empty())
        finally:
            for c in (ann, bob, eve):
                c.close()

    def test_bad_requests_get_the_chats_errors(self):
        c = Client()
        try:
            self.assertEqual(c.say('hi'), {'error': 'join a room first'})
            self.assertEqual(c.join('', 'x'), {'error': 'a name is 1 to 24 characters'})
            self.assertEqual(c.join('Admin', 'x'), {'error': 'that name is taken'})
            self.assertEqual(c.sio.call('join', 'nope', timeout=T), {'error': 'expected {name, room}'})
            c.join('solo', 'x')
            self.assertEqual(c.say('   '), {'error': 'empty message'})
        finally:
            c.close()


if __name__ == '__main__':
    unittest.main()
