// floor-server: the "kernel floor" of the benchmark. It speaks only what
// sio-bench's scenarios need (tools/sio-bench/load.cpp) with no framework at
// all: one thread, level-triggered epoll, non-blocking sockets, TCP_NODELAY
// as in the real servers, and the project's WebSocket codecs for framing. Its
// server CPU per operation is the least any server design can spend on this
// machine, so tools/bench.sh --floor shows how far ours and the reference are
// from it. Not a Socket.IO server for users: it parses fixed prefixes only.
//
//   floor-server [--port N]     N = 0 picks a free port; SIGTERM exits 0
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sio/protocol/websocket.hpp"

namespace {

namespace ws = sio::websocket;

constexpr std::size_t max_payload = 1000000;  // the contract app's maxPayload
constexpr std::size_t max_http_head = 16 * 1024;

struct room;

struct conn {
  int fd = -1;  // -1 once closed; the object lives until the batch ends
  bool upgraded = false;
  bool dirty = false;    // in the flush list of this batch
  bool blocked = false;  // the socket buffer is full: wait for EPOLLOUT
  bool pollout = false;  // EPOLLOUT is registered
  std::uint64_t id = 0;
  std::string head;  // the HTTP request until the upgrade
  ws::reader reader{max_payload};
  std::string out;  // frames queued for this batch's single write
  std::size_t out_off = 0;
  std::vector<room*> rooms;
};

struct room {
  std::vector<conn*> members;
};

// Heterogeneous lookup: finding a room by the string_view of the packet
// allocates nothing.
struct sv_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

int ep = -1;
std::uint64_t next_id = 0;
std::vector<conn*> dirty, dead;
// Rooms keyed by the JSON string token, quotes included ("\"room1\""): the
// floor never decodes JSON. Empty rooms are kept; the benchmark has one.
std::unordered_map<std::string, room, sv_hash, std::equal_to<>> rooms;
std::vector<ws::event> events;  // reused by every feed
std::string frame;              // a broadcast's frame, encoded once

void mark_dirty(conn& c) {
  if (!c.dirty) {
    c.dirty = true;
    dirty.push_back(&c);
  }
}

// Appends one text frame whose payload is the concatenation of `parts`,
// without building the payload first.
void append_text(std::string& out, std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  for (auto p : parts) n += p.size();
  std::array<char, ws::max_server_header> h;
  out.append(h.data(), ws::encode_header(ws::opcode::text, n, h));
  for (auto p : parts) out.append(p);
}

void send_text(conn& c, std::initializer_list<std::string_view> parts) {
  append_text(c.out, parts);
  mark_dirty(c);
}

// A 20-character session id (as long as socket.io's), unique per process.
std::string_view make_sid(char kind, std::uint64_t id, std::array<char, 20>& buf) {
  buf.fill('0');
  buf[0] = kind;
  char digits[20];
  auto r = std::to_chars(digits, digits + sizeof digits, id);
  auto n = static_cast<std::size_t>(r.ptr - digits);
  std::memcpy(buf.data() + buf.size() - n, digits, n);
  return {buf.data(), buf.size()};
}

void leave(conn& c, room* r) {
  // Linear: rooms are left only on close, outside the measured window.
  auto& m = r->members;
  if (auto it = std::find(m.begin(), m.end(), &c); it != m.end()) {
    *it = m.back();
    m.pop_back();
  }
  std::erase(c.rooms, r);
}

void close_conn(conn& c) {
  if (c.fd < 0) return;
  while (!c.rooms.empty()) leave(c, c.rooms.back());
  ::close(c.fd);  // also removes it from the epoll set
  c.fd = -1;
  dead.push_back(&c);  // freed after the batch: later events may point at it
}

// Reads a JSON string token at the front of `s` ("..." with escapes); its
// length, or 0 when there is none.
std::size_t string_token(std::string_view s) {
  if (s.empty() || s[0] != '"') return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return 0;
}

// A Socket.IO EVENT for namespace "/": `body` is the JSON array after the
// optional ack id. Serializers write no whitespace, so prefixes match.
void on_event(conn& c, std::string_view id, std::string_view body) {
  if (body.size() < 2 || body.back() != ']') return;
  auto args = [&](std::string_view prefix) {
    return body.starts_with(prefix) ? body.substr(prefix.size(), body.size() - prefix.size() - 1)
                                    : std::string_view{};
  };
  if (auto a = args("[\"broadcast\","); !a.empty()) {
    // ["broadcast",ROOM,PAYLOAD]: one frame for every member, the sender too.
    std::size_t n = string_token(a);
    if (n == 0 || n >= a.size() || a[n] != ',') return;
    auto r = rooms.find(a.substr(0, n));
    if (r == rooms.end()) return;
    frame.clear();
    append_text(frame, {"42[\"msg\",", a.substr(n + 1), "]"});
    for (conn* m : r->second.members) {
      m->out.append(frame);
      mark_dirty(*m);
    }
  } else if (auto e = args("[\"echo\","); !e.empty()) {
    if (!id.empty()) send_text(c, {"43", id, "[", e, "]"});
  } else if (auto j = args("[\"join\","); !j.empty()) {
    room* r = &rooms.try_emplace(std::string(j)).first->second;
    if (std::find(c.rooms.begin(), c.rooms.end(), r) == c.rooms.end()) {
      r->members.push_back(&c);
      c.rooms.push_back(r);
    }
    if (!id.empty()) send_text(c, {"43", id, "[true]"});
  } else if (auto l = args("[\"leave\","); !l.empty()) {
    if (auto r = rooms.find(l); r != rooms.end()) leave(c, &r->second);
    if (!id.empty()) send_text(c, {"43", id, "[true]"});
  }
}

// One Engine.IO text packet.
void on_text(conn& c, std::string_view t) {
  if (t.empty()) return;
  switch (t[0]) {
    case '2':  // ping: pong with the same data
      return send_text(c, {"3", t.substr(1)});
    case '1':  // close
      return close_conn(c);
    case '4':  // a Socket.IO packet
      break;
    default:
      return;
  }
  if (t.size() < 2) return;
  std::string_view rest = t.substr(2);
  if (t[1] == '0') {            // CONNECT, auth JSON after it
    if (rest.starts_with("/"))  // only "/" exists here
      return send_text(
          c, {"44", rest.substr(0, rest.find(',')), ",{\"message\":\"Invalid namespace\"}"});
    std::array<char, 20> sid;
    // The contract app emits "auth" with the handshake's auth on connection.
    send_text(c, {"40{\"sid\":\"", make_sid('S', c.id, sid), "\"}"});
    send_text(c, {"42[\"auth\",", rest.empty() ? std::string_view("{}") : rest, "]"});
  } else if (t[1] == '2') {  // EVENT, maybe with an ack id
    std::size_t n = 0;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    on_event(c, rest.substr(0, n), rest.substr(n));
  }
}

bool iequals_prefix(std::string_view s, std::string_view lower) {
  if (s.size() < lower.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i)
    if (static_cast<char>(s[i] | 0x20) != lower[i] && s[i] != lower[i]) return false;
  return true;
}

// The HTTP request head (through the empty line): true once upgraded.
bool on_http(conn& c, std::string_view head) {
  std::string_view line = head.substr(0, head.find("\r\n"));
  std::string_view key;
  for (std::size_t pos = line.size() + 2; pos < head.size();) {
    std::size_t end = head.find("\r\n", pos);
    std::string_view h = head.substr(pos, end - pos);
    if (iequals_prefix(h, "sec-websocket-key:")) {
      key = h.substr(18);
      while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
      while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    }
    pos = end + 2;
  }
  if (!line.starts_with("GET /socket.io/?") || line.find("EIO=4") == line.npos ||
      line.find("transport=websocket") == line.npos || key.empty()) {
    constexpr std::string_view bad = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    (void)::send(c.fd, bad.data(), bad.size(), MSG_NOSIGNAL);
    close_conn(c);
    return false;
  }
  c.out +=
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  c.out += ws::accept_key(key);
  c.out += "\r\n\r\n";
  std::array<char, 20> sid;
  send_text(c, {"0{\"sid\":\"", make_sid('E', c.id, sid),
                "\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
                "\"maxPayload\":1000000}"});
  return true;
}

// Bytes from the socket, in either phase.
void on_bytes(conn& c, std::string_view in) {
  if (!c.upgraded) {
    c.head.append(in);
    std::size_t end = c.head.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (c.head.size() > max_http_head) close_conn(c);
      return;
    }
    if (!on_http(c, std::string_view(c.head).substr(0, end + 2))) return;
    c.upgraded = true;
    std::string tail = c.head.substr(end + 4);
    std::string().swap(c.head);  // no head buffer on an idle connection
    if (!tail.empty()) on_bytes(c, tail);
    return;
  }
  events.clear();
  // The reader copies each message into a std::string of its own: the one
  // per-message allocation left, the price of using the project's codec.
  bool ok = c.reader.feed(in, events).ok();
  for (auto& e : events) {
    if (c.fd < 0) return;
    if (auto* m = std::get_if<ws::message>(&e)) {
      if (!m->binary) on_text(c, m->data);
    } else if (auto* ctl = std::get_if<ws::control>(&e)) {
      if (ctl->op == ws::opcode::ping) {
        std::array<char, ws::max_server_header> h;
        c.out.append(h.data(), ws::encode_header(ws::opcode::pong, ctl->payload.size(), h));
        c.out.append(ctl->payload);
        mark_dirty(c);
      }
    } else {
      return close_conn(c);  // a close frame: no reply, the fd just closes
    }
  }
  if (!ok) close_conn(c);
}

void set_events(conn& c, bool out) {
  epoll_event ev{};
  ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
  ev.data.ptr = &c;
  ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
  c.pollout = out;
}

// One write for everything queued since the last one.
void flush(conn& c) {
  c.dirty = false;
  if (c.fd < 0 || c.blocked || c.out_off == c.out.size()) return;
  ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
  if (n < 0 && errno != EAGAIN && errno != EINTR) return close_conn(c);
  if (n > 0) c.out_off += static_cast<std::size_t>(n);
  if (c.out_off == c.out.size()) {
    c.out.clear();  // keeps the capacity: no allocation on the next batch
    c.out_off = 0;
    if (c.pollout) set_events(c, false);
  } else {
    // A short write means a full socket buffer: another try now would only
    // cost an EAGAIN.
    c.blocked = true;
    if (!c.pollout) set_events(c, true);
  }
}

void accept_all(int listener) {
  while (true) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or an aborted connection: the next event retries
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto* c = new conn;
    c->fd = fd;
    c->id = ++next_id;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
}

int fail(const char* what) {
  std::fprintf(stderr, "floor-server: %s: %s\n", what, std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned long port = 3000;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      port = std::strtoul(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: floor-server [--port N]   (0: a free port)\n");
      return a == "-h" || a == "--help" ? 0 : 2;
    }
  }
  if (port > 65535) {
    std::fprintf(stderr, "floor-server: bad port\n");
    return 2;
  }

  // SIGTERM and SIGINT arrive as a descriptor in the epoll set: no race
  // between a handler's flag and epoll_wait.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (sfd < 0) return fail("signalfd");
  if (lfd < 0) return fail("socket");
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return fail("bind");
  if (::listen(lfd, 4096) < 0) return fail("listen");
  socklen_t len = sizeof addr;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);

  ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return fail("epoll_create1");
  // The listener and the signal descriptor are told apart by these tags.
  static char listen_tag, signal_tag;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &listen_tag;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  ev.data.ptr = &signal_tag;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);

  std::printf("floor-server listening on http://0.0.0.0:%u/socket.io/\n",
              static_cast<unsigned>(ntohs(addr.sin_port)));
  std::fflush(stdout);

  std::array<epoll_event, 1024> batch;
  static char buf[256 * 1024];
  while (true) {
    int n = ::epoll_wait(ep, batch.data(), static_cast<int>(batch.size()), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      void* p = batch[static_cast<std::size_t>(i)].data.ptr;
      std::uint32_t what = batch[static_cast<std::size_t>(i)].events;
      if (p == &signal_tag) return 0;
      if (p == &listen_tag) {
        accept_all(lfd);
        continue;
      }
      auto& c = *static_cast<conn*>(p);
      if (c.fd < 0) continue;  // closed earlier in this batch
      if (what & EPOLLOUT) {
        c.blocked = false;
        mark_dirty(c);
      }
      if (what & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        // One read per readiness: level-triggered epoll reports what is
        // left, so no read is spent on an EAGAIN.
        ssize_t r;
        do {
          r = ::read(c.fd, buf, sizeof buf);
          if (r > 0) on_bytes(c, {buf, static_cast<std::size_t>(r)});
        } while (r == static_cast<ssize_t>(sizeof buf) && c.fd >= 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) close_conn(c);
      }
    }
    // Writes after the whole batch: a burst of broadcasts costs one send per
    // connection.
    for (conn* c : dirty) flush(*c);
    dirty.clear();
    for (conn* c : dead) delete c;
    dead.clear();
  }
}
