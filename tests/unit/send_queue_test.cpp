// The queue through which actors hand frames to an I/O thread's sessions.
#include "send_queue.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace {

using sio::frame;
using sio::detail::send_queue;

struct recording_sink : send_queue::sink {
  bool takes = true;
  std::vector<std::string> taken;
  int writes = 0;

  bool take_frames(std::span<frame> frames) override {
    for (auto& f : frames) taken.push_back(*f.data);
    return takes;
  }
  void write_taken() override { ++writes; }
};

std::vector<frame> texts(std::initializer_list<const char*> items) {
  std::vector<frame> out;
  for (const char* t : items) out.push_back(frame::text(t));
  return out;
}

// The I/O context does not run on its own: each test runs its handlers with
// run_handlers(), which answers how many ran.
struct SendQueue : ::testing::Test {
  boost::asio::io_context io{1};
  send_queue queue{io};

  std::size_t run_handlers() {
    io.restart();  // poll() stops the context once it runs out of work
    return io.poll();
  }
};

TEST_F(SendQueue, ABurstFromAnotherThreadCostsOneHandlerOnTheIoThread) {
  std::vector<std::shared_ptr<recording_sink>> sinks;
  for (int i = 0; i < 100; ++i) sinks.push_back(std::make_shared<recording_sink>());
  std::thread actor([&] {
    for (auto& s : sinks) {
      auto frames = texts({"a", "b"});
      queue.push(s, frames);
      EXPECT_EQ(frames[0].data, nullptr);  // moved out
    }
  });
  actor.join();
  EXPECT_EQ(run_handlers(), 1u);
  for (auto& s : sinks) {
    EXPECT_EQ(s->taken, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(s->writes, 1);
  }
}

TEST_F(SendQueue, ASinkGetsItsFramesInOrderAndWritesOncePerDrain) {
  auto a = std::make_shared<recording_sink>();
  auto b = std::make_shared<recording_sink>();
  auto f1 = texts({"a1", "a2"});
  auto f2 = texts({"b1"});
  auto f3 = texts({"a3"});
  queue.push(a, f1);
  queue.push(b, f2);
  queue.push(a, f3);
  EXPECT_EQ(run_handlers(), 1u);
  EXPECT_EQ(a->taken, (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(a->writes, 1);
  EXPECT_EQ(b->taken, (std::vector<std::string>{"b1"}));
  EXPECT_EQ(b->writes, 1);
}

// Each sink writes right after its last batch, before the next sink takes
// its frames: a WebSocket session borrows its thread's one spare chunk list
// from take to write.
struct logging_sink : send_queue::sink {
  std::string name;
  std::vector<std::string>& log;
  logging_sink(std::string n, std::vector<std::string>& l) : name(std::move(n)), log(l) {}
  bool take_frames(std::span<frame>) override {
    log.push_back("take " + name);
    return true;
  }
  void write_taken() override { log.push_back("write " + name); }
};

TEST_F(SendQueue, EachSinkWritesRightAfterItsLastBatch) {
  std::vector<std::string> log;
  auto a = std::make_shared<logging_sink>("a", log);
  auto b = std::make_shared<logging_sink>("b", log);
  auto c = std::make_shared<logging_sink>("c", log);
  for (auto* to : {&a, &b, &a, &c}) {
    auto frames = texts({"x"});
    queue.push(*to, frames);
  }
  run_handlers();
  EXPECT_EQ(log, (std::vector<std::string>{"take a", "take b", "write b", "take a", "write a",
                                           "take c", "write c"}));
}

TEST_F(SendQueue, ASinkThatHasNothingToWriteIsNotAskedTo) {
  auto closed = std::make_shared<recording_sink>();
  closed->takes = false;
  auto frames = texts({"x"});
  queue.push(closed, frames);
  run_handlers();
  EXPECT_EQ(closed->taken, (std::vector<std::string>{"x"}));
  EXPECT_EQ(closed->writes, 0);
}

TEST_F(SendQueue, TheFirstPushAfterADrainPostsAgain) {
  auto s = std::make_shared<recording_sink>();
  auto first = texts({"1"});
  queue.push(s, first);
  EXPECT_EQ(run_handlers(), 1u);
  auto second = texts({"2"});
  queue.push(s, second);
  EXPECT_EQ(run_handlers(), 1u);
  EXPECT_EQ(s->taken, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(s->writes, 2);
}

TEST_F(SendQueue, ADirectDrainTakesWhatIsQueuedAndLeavesThePostedOneNothing) {
  auto s = std::make_shared<recording_sink>();
  auto frames = texts({"open"});
  queue.push(s, frames);
  queue.drain();  // as a session's attach or close does
  EXPECT_EQ(s->taken, (std::vector<std::string>{"open"}));
  EXPECT_EQ(s->writes, 1);
  EXPECT_EQ(run_handlers(), 1u);
  EXPECT_EQ(s->taken.size(), 1u);
  EXPECT_EQ(s->writes, 1);
}

TEST_F(SendQueue, AnEmptySendPostsNothing) {
  auto s = std::make_shared<recording_sink>();
  std::vector<frame> none;
  queue.push(s, none);
  EXPECT_EQ(run_handlers(), 0u);
}

// Several actor threads push while the I/O thread drains: no frame is lost
// or reordered, and no drain is missed (a lost post would leave frames
// queued with nobody to take them).
TEST_F(SendQueue, FramesFromManyThreadsAllArriveInEachThreadsOrder) {
  constexpr int producers = 4;
  constexpr int sinks = 50;
  constexpr int pushes = 2000;  // per producer, spread over the sinks
  struct counting_sink : send_queue::sink {
    std::atomic<int> received{0};
    std::vector<int> last_seen = std::vector<int>(producers, -1);
    bool in_order = true;
    bool take_frames(std::span<frame> frames) override {
      for (auto& f : frames) {
        // "<producer>:<sequence>"
        const auto& text = *f.data;
        auto colon = text.find(':');
        int p = std::stoi(text.substr(0, colon));
        int n = std::stoi(text.substr(colon + 1));
        if (n <= last_seen[p]) in_order = false;
        last_seen[p] = n;
      }
      received.fetch_add(static_cast<int>(frames.size()));
      return true;
    }
    void write_taken() override {}
  };
  std::vector<std::shared_ptr<counting_sink>> targets;
  for (int i = 0; i < sinks; ++i) targets.push_back(std::make_shared<counting_sink>());

  auto work = boost::asio::make_work_guard(io);
  std::thread io_thread([&] {
    send_queue::scope sending(queue);
    io.run();
  });
  std::vector<std::thread> actors;
  for (int p = 0; p < producers; ++p)
    actors.emplace_back([&, p] {
      for (int n = 0; n < pushes; ++n) {
        std::vector<frame> frames{frame::text(std::to_string(p) + ":" + std::to_string(n))};
        queue.push(targets[static_cast<std::size_t>(n % sinks)], frames);
      }
    });
  for (auto& t : actors) t.join();

  auto all_arrived = [&] {
    int total = 0;
    for (auto& t : targets) total += t->received.load();
    return total == producers * pushes;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!all_arrived() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  work.reset();
  io.stop();
  io_thread.join();
  EXPECT_TRUE(all_arrived());
  for (auto& t : targets) EXPECT_TRUE(t->in_order);
}

TEST_F(SendQueue, CurrentIsSetOnlyInsideItsScope) {
  EXPECT_EQ(send_queue::current(), nullptr);
  {
    send_queue::scope sending(queue);
    EXPECT_EQ(send_queue::current(), &queue);
  }
  EXPECT_EQ(send_queue::current(), nullptr);
}

}  // namespace
