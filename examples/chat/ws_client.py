#!/usr/bin/python3
"""A terminal client for sio-server's plain WebSocket path (python3-websocket).

    examples/chat/ws_client.py ws://localhost:3000/ws

Each line typed is one text frame; each frame received is printed on a line
of its own (binary ones as their bytes). With the chat app: /name Ana,
/join lobby, then plain lines are messages to the room. Ctrl-D ends it.
"""
import sys
import threading

import websocket

ws = websocket.create_connection(sys.argv[1] if len(sys.argv) > 1 else "ws://localhost:3000/ws")


def receive():
    try:
        while True:
            print(ws.recv(), flush=True)  # answers the server's pings meanwhile
    except (websocket.WebSocketException, OSError):
        print("(closed)", flush=True)


threading.Thread(target=receive, daemon=True).start()
for line in sys.stdin:
    ws.send(line.rstrip("\n"))
ws.close()
