// Deterministic harness for the actor tests: an actor system on CAF's
// test_coordinator (virtual time, one thread, nothing runs until the test
// says so) and fakes of the gateway objects that record what an actor did.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "sio/actors/close_reason.hpp"
#include "sio/actors/links.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/session_handler.hpp"

namespace sio::test {

/// One polling request held by the "gateway": records how it was answered.
class fake_reply final : public http_reply {
 public:
  struct answer {
    int status = 0;
    std::string body;
    std::string content_type;
  };

  void ok(std::string body, std::string_view content_type) override {
    answers.push_back({200, std::move(body), std::string(content_type)});
  }
  void fail(int status, std::string json_body) override {
    answers.push_back({status, std::move(json_body), {}});
  }

  bool answered() const { return !answers.empty(); }
  /// The status of the last answer, 0 while unanswered.
  int status() const { return answers.empty() ? 0 : answers.back().status; }
  std::string body() const { return answers.empty() ? "<unanswered>" : answers.back().body; }
  std::string content_type() const { return answers.empty() ? "" : answers.back().content_type; }

  std::vector<answer> answers;
};

/// One WebSocket held by the "gateway": records every call, in order.
class fake_link final : public ws_link {
 public:
  explicit fake_link(std::uint64_t id) : id_(id) {}

  void attach(caf::actor owner_handle) override {
    ++attach_calls;
    owner = owner_handle.address();  // weak: the actor holds this link
    events.emplace_back("attach");
  }
  void send(std::vector<frame> frames) override {
    for (auto& f : frames) {
      events.push_back((f.binary ? "send binary " : "send ") + *f.data);
      sent.push_back(std::move(f));
    }
  }
  void close() override {
    ++close_calls;
    events.emplace_back("close");
  }
  void refuse(std::string message) override {
    events.push_back("refuse " + message);
    refusals.push_back(std::move(message));
  }
  std::uint64_t id() const noexcept override { return id_; }
  /// What the "kernel" has not taken yet: set it to make a slow client.
  std::size_t buffered_amount() const noexcept override { return backlog; }
  std::size_t backlog = 0;

  /// The data of every frame sent, text or binary.
  std::vector<std::string> frames() const {
    std::vector<std::string> out;
    for (const auto& f : sent) out.push_back(*f.data);
    return out;
  }

  int attach_calls = 0;
  int close_calls = 0;
  caf::actor_addr owner;
  std::vector<frame> sent;
  std::vector<std::string> refusals;
  std::vector<std::string> events;

 private:
  std::uint64_t id_;
};

/// What the layer above saw of its sessions; shared by the test and every
/// handler it hands out.
struct handler_record {
  int opens = 0;
  std::vector<std::pair<std::string, bool>> messages;  // data, binary
  std::vector<std::string> closes;                     // to_string(reason)
  std::vector<caf::actor_addr> sessions;               // every opened session
  /// Runs after a message is recorded, inside the connection actor.
  std::function<void(engine_session&, const std::string&, bool)> react;
};

class fake_handler final : public session_handler {
 public:
  explicit fake_handler(std::shared_ptr<handler_record> record) : record_(std::move(record)) {}

  void on_open(engine_session& s) override {
    ++record_->opens;
    record_->sessions.push_back(s.self()->address());
  }
  void on_message(engine_session& s, std::string data, bool binary) override {
    record_->messages.emplace_back(data, binary);
    if (record_->react) record_->react(s, data, binary);
  }
  void on_close(engine_session&, close_reason reason) override {
    record_->closes.emplace_back(to_string(reason));
  }

 private:
  std::shared_ptr<handler_record> record_;
};

struct testing_config : caf::actor_system_config {
  testing_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

/// Base fixture: a test_coordinator actor system. Every actor a test spawns
/// or sees open is killed at the end so the system can shut down.
class actor_test : public ::testing::Test {
 protected:
  actor_test()
      : sys(cfg), sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {}

  ~actor_test() override {
    for (const auto& addr : tracked_) kill(addr);
    for (const auto& addr : record->sessions) kill(addr);
    sched.run();
    EXPECT_EQ(sys.registry().running(), 0u) << "actors left running";
    if (sys.registry().running() != 0) sys.await_actors_before_shutdown(false);
  }

  /// Delivers every message now due.
  void run() { sched.run(); }

  /// Moves virtual time on, fires the timers now due, and delivers.
  void advance(std::chrono::milliseconds d) {
    sched.advance_time(d);
    sched.run();
  }

  void track(const caf::actor& a) { tracked_.push_back(a.address()); }

  /// A flag that becomes true when `a` terminates.
  static std::shared_ptr<bool> watch(const caf::actor& a) {
    auto flag = std::make_shared<bool>(false);
    a->attach_functor([flag](const caf::error&) { *flag = true; });
    return flag;
  }

  static std::shared_ptr<fake_reply> make_reply() { return std::make_shared<fake_reply>(); }
  std::shared_ptr<fake_link> make_link() { return std::make_shared<fake_link>(next_link_id_++); }

  handler_factory factory() {
    return [record = record] { return std::make_unique<fake_handler>(record); };
  }

  testing_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::shared_ptr<handler_record> record = std::make_shared<handler_record>();

 private:
  static void kill(const caf::actor_addr& addr) {
    if (auto a = caf::actor_cast<caf::actor>(addr)) caf::anon_send_exit(a, caf::exit_reason::kill);
  }

  std::vector<caf::actor_addr> tracked_;
  std::uint64_t next_link_id_ = 1;
};

}  // namespace sio::test
