#include "sio/cluster/redis_link.hpp"

#include <charconv>
#include <cstring>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/send.hpp>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "sio/actors/metrics.hpp"

namespace sio::cluster {

namespace asio = boost::asio;

namespace {

// hiredis asks for read and write readiness through these hooks; each becomes
// an async_wait on the context's socket. The watch outlives the context (the
// waits hold it), and `ac` turns null when hiredis lets go of the socket.
struct watch : std::enable_shared_from_this<watch> {
  explicit watch(asio::io_context& io) : sd(io) {}
  asio::posix::stream_descriptor sd;
  redisAsyncContext* ac = nullptr;
  bool want_read = false;
  bool want_write = false;
  bool reading = false;
  bool writing = false;
};

void arm_read(const std::shared_ptr<watch>& w) {
  if (w->reading || !w->ac || !w->want_read) return;
  w->reading = true;
  w->sd.async_wait(asio::posix::descriptor_base::wait_read, [w](boost::system::error_code ec) {
    w->reading = false;
    if (ec || !w->ac || !w->want_read) return;
    redisAsyncHandleRead(w->ac);
    arm_read(w);
  });
}

void arm_write(const std::shared_ptr<watch>& w) {
  if (w->writing || !w->ac || !w->want_write) return;
  w->writing = true;
  w->sd.async_wait(asio::posix::descriptor_base::wait_write, [w](boost::system::error_code ec) {
    w->writing = false;
    if (ec || !w->ac || !w->want_write) return;
    redisAsyncHandleWrite(w->ac);
    arm_write(w);
  });
}

void ev_add_read(void* p) {
  auto* w = static_cast<watch*>(p);
  w->want_read = true;
  arm_read(w->shared_from_this());
}
void ev_del_read(void* p) { static_cast<watch*>(p)->want_read = false; }
void ev_add_write(void* p) {
  auto* w = static_cast<watch*>(p);
  w->want_write = true;
  arm_write(w->shared_from_this());
}
void ev_del_write(void* p) { static_cast<watch*>(p)->want_write = false; }
void ev_cleanup(void* p) {
  auto* w = static_cast<watch*>(p);
  w->ac = nullptr;
  w->want_read = w->want_write = false;
  boost::system::error_code ignored;
  w->sd.cancel(ignored);
  w->sd.release();  // hiredis closes the descriptor itself
}

std::optional<json> to_json(const redisReply* r) {
  if (!r) return std::nullopt;
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return json(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return json(static_cast<std::int64_t>(r->integer));
    case REDIS_REPLY_NIL:
      return json();
    case REDIS_REPLY_ARRAY: {
      json out = json::array();
      for (std::size_t i = 0; i < r->elements; ++i) {
        auto item = to_json(r->element[i]);
        if (!item) return std::nullopt;
        out.push_back(std::move(*item));
      }
      return out;
    }
    default:  // REDIS_REPLY_ERROR
      return std::nullopt;
  }
}

std::string_view str(const redisReply* r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
             ? std::string_view(r->str, r->len)
             : std::string_view();
}

}  // namespace

// -- the link -------------------------------------------------------------------

struct redis_link::impl {
  // One hiredis connection and its reconnection state.
  struct connection {
    connection(impl* o, const char* n) : owner(o), name(n) {}
    impl* owner;
    const char* name;
    redisAsyncContext* ac = nullptr;
    std::shared_ptr<watch> w;
    bool connected = false;
    bool was_up = true;  // logs the first failure at start as an outage
    unsigned attempt = 0;
    std::unique_ptr<asio::steady_timer> timer;  // connect timeout, then retry
  };

  // A command waiting for its reply or its timeout, whichever comes first.
  struct pending {
    std::function<void(std::optional<json>)> done;
    asio::steady_timer timer;
    bool finished = false;
    explicit pending(asio::io_context& io) : timer(io) {}
    void finish(std::optional<json> reply) {
      if (finished) return;
      finished = true;
      timer.cancel();
      done(std::move(reply));
    }
  };

  redis_link_options options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
  connection cmd{this, "command"};
  connection sub{this, "subscriber"};
  std::map<std::string, caf::actor> channels;
  std::map<std::string, caf::actor> patterns;
  redis_link_stats stats;
  std::uint64_t dropped_before_outage = 0;
  std::minstd_rand rng{std::random_device{}()};
  bool stopping = false;

  void log(std::string_view event, std::string_view detail) {
    if (options.log)
      options.log(event, detail);
    else
      std::fprintf(stderr, "redis link: %.*s %.*s\n", static_cast<int>(event.size()), event.data(),
                   static_cast<int>(detail.size()), detail.data());
  }

  void connect(connection& c) {
    if (stopping) return;
    c.timer = std::make_unique<asio::steady_timer>(io);
    auto* ac = redisAsyncConnect(options.host.c_str(), options.port);
    if (!ac || ac->err) {
      std::string why = ac ? ac->errstr : "out of memory";
      if (ac) redisAsyncFree(ac);
      lost(c, why);
      return;
    }
    c.ac = ac;
    c.w = std::make_shared<watch>(io);
    c.w->ac = ac;
    c.w->sd.assign(ac->c.fd);
    ac->data = &c;
    ac->ev.data = c.w.get();
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    redisAsyncSetConnectCallback(ac, &impl::on_connect);
    redisAsyncSetDisconnectCallback(ac, &impl::on_disconnect);
    c.timer->expires_after(options.connect_timeout);
    c.timer->async_wait([this, &c, ac](boost::system::error_code ec) {
      if (ec || c.ac != ac || c.connected) return;
      drop(c);
      lost(c, "connect timeout");
    });
  }

  // Frees the context on our initiative; its callbacks then see no owner.
  void drop(connection& c) {
    auto* ac = std::exchange(c.ac, nullptr);
    c.connected = false;
    if (!ac) return;
    ac->data = nullptr;
    redisAsyncFree(ac);
  }

  static connection* conn_of(const redisAsyncContext* ac) {
    return static_cast<connection*>(ac->data);
  }

  static void on_connect(const redisAsyncContext* ac, int status) {
    auto* c = conn_of(ac);
    if (!c) return;
    auto* self = c->owner;
    if (status != REDIS_OK) {
      // hiredis frees the context after this returns.
      c->ac = nullptr;
      self->lost(*c, ac->errstr);
      return;
    }
    c->connected = true;
    c->timer->cancel();
    c->attempt = 0;
    if (!c->was_up) {
      // Cross-node deliveries lost in the outage: counted, told once.
      std::string detail = c->name;
      if (c == &self->cmd)
        detail += ": " + std::to_string(self->stats.publish_dropped - self->dropped_before_outage) +
                  " publishes dropped while down";
      self->log("redis_link_up", detail);
    }
    c->was_up = true;
    self->up_changed();
    if (c == &self->sub) self->resubscribe();
  }

  static void on_disconnect(const redisAsyncContext* ac, int) {
    auto* c = conn_of(ac);
    if (!c) return;
    auto* self = c->owner;
    c->ac = nullptr;
    c->connected = false;
    self->lost(*c, ac->errstr[0] ? ac->errstr : "connection closed");
  }

  void up_changed() {
    stats.command_up = cmd.connected;
    stats.subscriber_up = sub.connected;
  }

  void lost(connection& c, std::string_view why) {
    c.connected = false;
    up_changed();
    if (stopping) return;
    if (c.was_up) {
      if (&c == &cmd) dropped_before_outage = stats.publish_dropped;
      log("redis_link_down", std::string(c.name) + ": " + std::string(why));
      c.was_up = false;
    }
    auto ceiling = options.backoff_min.count() << std::min(c.attempt, 16u);
    ceiling = std::min<std::int64_t>(ceiling, options.backoff_max.count());
    ++c.attempt;
    std::uniform_int_distribution<std::int64_t> pick(ceiling / 2, std::max<std::int64_t>(ceiling, 1));
    c.timer = std::make_unique<asio::steady_timer>(io);
    c.timer->expires_after(std::chrono::milliseconds(pick(rng)));
    c.timer->async_wait([this, &c](boost::system::error_code ec) {
      if (ec || stopping) return;
      ++stats.reconnects;
      metrics::add(metrics::counter::cluster_reconnects);
      connect(c);
    });
  }

  // -- subscriber ----------------------------------------------------------------

  static void on_sub_message(redisAsyncContext* ac, void* reply, void* privdata) {
    auto* self = static_cast<impl*>(privdata);
    auto* r = static_cast<redisReply*>(reply);
    if (!r || !conn_of(ac) || r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
    auto kind = str(r->element[0]);
    if (kind == "message") {
      auto channel = str(r->element[1]);
      auto it = self->channels.find(std::string(channel));
      if (it == self->channels.end()) return;
      self->deliver(it->second, channel, str(r->element[2]));
    } else if (kind == "pmessage" && r->elements >= 4) {
      auto it = self->patterns.find(std::string(str(r->element[1])));
      if (it == self->patterns.end()) return;
      self->deliver(it->second, str(r->element[2]), str(r->element[3]));
    }
  }

  void deliver(const caf::actor& to, std::string_view channel, std::string_view payload) {
    ++stats.received;
    caf::anon_send(to, atoms::redis_message::value, std::string(channel), std::string(payload));
  }

  void send_subscribe(const char* verb, const std::string& name) {
    if (!sub.connected || !sub.ac) return;
    const char* argv[] = {verb, name.data()};
    std::size_t lens[] = {std::strlen(verb), name.size()};
    redisAsyncCommandArgv(sub.ac, &impl::on_sub_message, this, 2, argv, lens);
  }

  void resubscribe() {
    for (const auto& [name, listener] : channels) send_subscribe("SUBSCRIBE", name);
    for (const auto& [name, listener] : patterns) send_subscribe("PSUBSCRIBE", name);
  }

  // -- commands ----------------------------------------------------------------

  static void on_reply(redisAsyncContext*, void* reply, void* privdata) {
    std::unique_ptr<std::shared_ptr<pending>> p(static_cast<std::shared_ptr<pending>*>(privdata));
    (*p)->finish(to_json(static_cast<redisReply*>(reply)));
  }

  void run_command(const std::vector<std::string>& argv,
                   std::function<void(std::optional<json>)> done) {
    if (!cmd.connected || !cmd.ac) {
      if (done) done(std::nullopt);
      return;
    }
    std::vector<const char*> args;
    std::vector<std::size_t> lens;
    for (const auto& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    auto p = std::make_shared<pending>(io);
    p->done = done ? std::move(done) : [](std::optional<json>) {};
    auto* holder = new std::shared_ptr<pending>(p);
    if (redisAsyncCommandArgv(cmd.ac, &impl::on_reply, holder, static_cast<int>(args.size()),
                              args.data(), lens.data()) != REDIS_OK) {
      delete holder;
      p->finish(std::nullopt);
      return;
    }
    p->timer.expires_after(options.command_timeout);
    p->timer.async_wait([p](boost::system::error_code ec) {
      if (!ec) p->finish(std::nullopt);
    });
  }

  void shut_down() {
    stopping = true;
    if (cmd.timer) cmd.timer->cancel();
    if (sub.timer) sub.timer->cancel();
    drop(cmd);
    drop(sub);
    work.reset();
  }
};

std::optional<redis_link_options> parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
  auto rest = url.substr(scheme.size());
  if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  redis_link_options o;
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    o.host = std::string(rest);
  } else {
    o.host = std::string(rest.substr(0, colon));
    auto port = rest.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return std::nullopt;
    o.port = static_cast<std::uint16_t>(value);
  }
  if (o.host.empty()) return std::nullopt;
  return o;
}

redis_link::redis_link(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

std::shared_ptr<redis_link> redis_link::start(redis_link_options options) {
  auto p = std::make_unique<impl>();
  p->options = std::move(options);
  auto* raw = p.get();
  std::shared_ptr<redis_link> link(new redis_link(std::move(p)));
  asio::post(raw->io, [raw] {
    raw->connect(raw->cmd);
    raw->connect(raw->sub);
  });
  raw->thread = std::thread([raw] { raw->io.run(); });
  return link;
}

redis_link::~redis_link() {
  auto* p = impl_.get();
  if (std::this_thread::get_id() == p->thread.get_id()) {
    // The last holder let go inside a callback of the link's own thread,
    // which cannot join itself: it stops and the state goes with the process.
    p->shut_down();
    p->io.stop();
    p->thread.detach();
    (void)impl_.release();
    return;
  }
  asio::post(p->io, [p] { p->shut_down(); });
  // Pending timers of a stopped link need not fire.
  asio::post(p->io, [p] { p->io.stop(); });
  if (p->thread.joinable()) p->thread.join();
}

void redis_link::publish(std::string channel, std::string payload) {
  auto* p = impl_.get();
  asio::post(p->io, [p, channel = std::move(channel), payload = std::move(payload)] {
    if (!p->cmd.connected) {
      ++p->stats.publish_dropped;
      metrics::add(metrics::counter::cluster_publishes_dropped);
      return;
    }
    ++p->stats.published;
    // A publish that the connection took with it when it dropped (Redis
    // killed before it noticed) is lost too: counted once the loss is known.
    // One that only timed out (Redis paused) may still go out, and is not.
    p->run_command({"PUBLISH", channel, payload}, [p](std::optional<json> reply) {
      if (reply) return;
      asio::post(p->io, [p] {
        if (p->cmd.connected || p->stopping) return;
        ++p->stats.publish_dropped;
        metrics::add(metrics::counter::cluster_publishes_dropped);
      });
    });
  });
}

void redis_link::command(std::vector<std::string> argv,
                         std::function<void(std::optional<json>)> done) {
  auto* p = impl_.get();
  asio::post(p->io, [p, argv = std::move(argv), done = std::move(done)]() mutable {
    p->run_command(argv, std::move(done));
  });
}

void redis_link::subscribe(std::string channel, caf::actor listener) {
  auto* p = impl_.get();
  asio::post(p->io, [p, channel = std::move(channel), listener = std::move(listener)] {
    if (!p->channels.emplace(channel, listener).second) return;
    p->send_subscribe("SUBSCRIBE", channel);
  });
}

void redis_link::psubscribe(std::string pattern, caf::actor listener) {
  auto* p = impl_.get();
  asio::post(p->io, [p, pattern = std::move(pattern), listener = std::move(listener)] {
    if (!p->patterns.emplace(pattern, listener).second) return;
    p->send_subscribe("PSUBSCRIBE", pattern);
  });
}

void redis_link::unsubscribe(const caf::actor& listener) {
  auto* p = impl_.get();
  asio::post(p->io, [p, listener] {
    auto drop_from = [&](std::map<std::string, caf::actor>& m, const char* verb) {
      for (auto it = m.begin(); it != m.end();) {
        if (it->second != listener) {
          ++it;
          continue;
        }
        if (p->sub.connected && p->sub.ac) {
          const char* argv[] = {verb, it->first.data()};
          std::size_t lens[] = {std::strlen(verb), it->first.size()};
          redisAsyncCommandArgv(p->sub.ac, nullptr, nullptr, 2, argv, lens);
        }
        it = m.erase(it);
      }
    };
    drop_from(p->channels, "UNSUBSCRIBE");
    drop_from(p->patterns, "PUNSUBSCRIBE");
  });
}

const redis_link_stats& redis_link::stats() const noexcept { return impl_->stats; }

}  // namespace sio::cluster
