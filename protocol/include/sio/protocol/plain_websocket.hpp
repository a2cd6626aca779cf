#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// A plain WebSocket client (RFC 6455 only, no Engine.IO or Socket.IO) seen
/// as a Socket.IO socket of one namespace. The server runs it through the
/// same connection actor as any client; these functions translate between
/// its frames and the Engine.IO packets that actor reads and writes. Pure:
/// no sockets, no actors.
///
/// Client -> server: a text frame is the event "message" with the text as its
/// one argument, a binary frame the same with a binary argument; the open of
/// the socket is a CONNECT to the namespace and a pong answers the
/// Engine.IO ping.
///
/// Server -> client: see translate().
namespace sio::plain_websocket {

/// The Engine.IO message that connects the client to namespace `nsp`
/// ("40", or "40/chat,").
std::string connect_packet(std::string_view nsp);

/// The Engine.IO message of a text frame `text`: 42[/nsp,]["message","text"].
/// `text` is valid UTF-8 (the WebSocket reader checked it).
std::string text_event(std::string_view nsp, std::string_view text);

/// The Engine.IO message that announces a binary frame, which follows as the
/// event's one attachment: 451-[/nsp,]["message",{"_placeholder":true,"num":0}].
std::string binary_event(std::string_view nsp);

/// The Engine.IO pong that a WebSocket pong stands for.
inline constexpr std::string_view pong_packet = "3";

/// What one outbound Engine.IO text packet becomes on a plain WebSocket.
struct outbound {
  enum class kind : std::uint8_t {
    drop,    // nothing the client sees (open, connect, ack, noop, ...)
    text,    // a text frame with `payload`
    ping,    // a WebSocket ping: the Engine.IO heartbeat
    close,   // a close frame with `code` and `payload` as its reason
    binary,  // the event's binary attachment follows as a binary frame; nothing else
    connected,  // the socket's CONNECT: it takes events from now on; nothing is sent
  };
  kind what = kind::drop;
  std::string payload;
  std::uint16_t code = 0;
};

/// Translates an outbound Engine.IO text packet (type character, then data):
///  - ping "2" -> a WebSocket ping;
///  - an EVENT "message" with one argument: a string goes out as a text frame
///    of that string, a binary attachment as the binary frame that follows it
///    (kind::binary), anything else as its JSON text;
///  - any other EVENT: its JSON array `[event, ...args]` as a text frame
///    (binary arguments stay placeholders; the attachments follow as binary
///    frames);
///  - CONNECT: kind::connected, nothing sent;
///  - DISCONNECT: close 1000; CONNECT_ERROR: close 1008 with the error's message;
///  - Engine.IO close "1": close 1000;
///  - everything else (open, ACK, noop, pong): dropped.
/// Binary Engine.IO packets (attachments) go out as binary frames unchanged.
/// Never throws; a packet it cannot read is dropped.
outbound translate(std::string_view packet);

}  // namespace sio::plain_websocket
