#include "recovery_store.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>

namespace sio::detail {
namespace {

constexpr std::size_t entry_overhead = sizeof(void*) * 12;  // the entry in its deque
constexpr std::size_t session_overhead = 256;  // its map node, strings and order entry

std::atomic<std::uint64_t> offsets{1};

std::size_t frames_bytes(const frame_batch& frames) {
  std::size_t n = 0;
  if (frames)
    for (const auto& f : *frames) n += f.data ? f.data->size() : 0;
  return n;
}

std::size_t strings_bytes(const std::vector<std::string>& xs) {
  std::size_t n = 0;
  for (const auto& x : xs) n += sizeof(std::string) + x.size();
  return n;
}

// socket-adapter's shouldIncludePacket: sent to one of the session's rooms
// (or to everyone) and to none it was excluded from.
bool reaches(const std::vector<std::string>& session_rooms, const std::vector<std::string>& rooms,
             const std::vector<std::string>& except) {
  auto in = [&](const std::vector<std::string>& set) {
    return std::any_of(session_rooms.begin(), session_rooms.end(), [&](const std::string& r) {
      return std::find(set.begin(), set.end(), r) != set.end();
    });
  };
  return (rooms.empty() || in(rooms)) && !in(except);
}

std::optional<std::uint64_t> parse_offset(const json& offset) {
  if (!offset.is_string()) return std::nullopt;
  const auto& text = offset.get_ref<const std::string&>();
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::uint64_t next_offset() { return offsets.fetch_add(1, std::memory_order_relaxed); }

std::uint64_t upcoming_offset() { return offsets.load(std::memory_order_relaxed); }

std::shared_ptr<const broadcast_request>
recovery_store::stamp(const std::shared_ptr<const broadcast_request>& req, time_point now) {
  // As the reference: events with an ack cannot be answered by a client
  // that comes back elsewhere, and volatile ones may be lost anyway.
  if (req->is_volatile || req->ack_collector || !req->frames || req->frames->empty())
    return req;
  const auto& text = *req->frames->front().data;
  if (text.empty() || text.back() != ']') return req;
  auto offset = next_offset();
  // The event's arguments are a JSON array at the end of the text: the
  // offset goes in as one more string argument.
  auto number = std::to_string(offset);
  std::string stamped;
  stamped.reserve(text.size() + number.size() + 3);
  stamped.append(text, 0, text.size() - 1).append(",\"").append(number).append("\"]");
  auto frames = std::make_shared<std::vector<frame>>(*req->frames);
  frames->front() = frame::text(std::move(stamped));
  auto out = std::make_shared<broadcast_request>(*req);
  out->frames = frames;
  append({offset, now, frames, req->rooms, req->except, 0}, now);
  return out;
}

void recovery_store::record_direct(const std::string& sid, std::uint64_t offset,
                                   frame_batch frames, time_point now) {
  append({offset, now, std::move(frames), {sid}, {}, 0}, now);
}

void recovery_store::append(entry e, time_point now) {
  e.bytes = entry_overhead + frames_bytes(e.frames) + strings_bytes(e.rooms) +
            strings_bytes(e.except);
  bytes_ += e.bytes;
  // A socket's own emits reach this actor a little after they were stamped,
  // behind broadcasts stamped later: they go in at their place.
  auto at = log_.end();
  while (at != log_.begin() && std::prev(at)->offset > e.offset) --at;
  log_.insert(at, std::move(e));
  prune(now);
}

void recovery_store::persist(persisted_session state, time_point now) {
  auto pid = state.pid;
  if (auto it = claimed_.find(pid); it != claimed_.end()) erase(claimed_, it);
  if (auto it = waiting_.find(pid); it != waiting_.end()) erase(waiting_, it);
  auto bytes = session_overhead + state.sid.size() + 2 * state.pid.size() +
               strings_bytes(state.rooms) + state.data.dump().size();
  session_bytes_ += bytes;
  waiting_.emplace(pid, session{std::move(state), 0, now, bytes});
  order_.emplace_back(now, std::move(pid));
  prune(now);
}

void recovery_store::erase(session_map& sessions, session_map::iterator it) {
  session_bytes_ -= it->second.bytes;
  sessions.erase(it);
}

bool recovery_store::drop_oldest_session() {
  while (!order_.empty()) {
    auto pid = std::move(order_.front().second);
    auto time = order_.front().first;
    order_.pop_front();
    for (auto* sessions : {&waiting_, &claimed_}) {
      auto it = sessions->find(pid);
      if (it != sessions->end() && it->second.disconnected_at == time) {
        erase(*sessions, it);
        return true;
      }
    }
  }
  return false;
}

claimed_ptr recovery_store::claim(const std::string& pid, const json& offset, time_point now) {
  auto it = waiting_.find(pid);
  if (it == waiting_.end()) return nullptr;
  auto& s = it->second;
  if (expired(s, now)) {
    erase(waiting_, it);
    prune(now);
    return nullptr;
  }
  std::uint64_t from = 0;
  if (offset.is_null()) {
    from = s.state.first_offset;  // the client got no event
  } else {
    auto value = parse_offset(offset);
    if (!value || *value >= upcoming_offset()) return nullptr;  // never issued
    from = *value + 1;
  }
  if (dropped_for_bytes_ >= from) return nullptr;  // some of what it missed is gone
  s.from_offset = from;
  auto out = std::make_shared<claimed_session>(
      claimed_session{s.state.sid, s.state.pid, s.state.rooms, s.state.data, s.state.first_offset});
  claimed_.insert_or_assign(pid, std::move(s));
  waiting_.erase(it);  // its bytes went with it
  return out;
}

bool recovery_store::replay(const std::string& pid, std::vector<frame>& missed,
                            std::vector<std::string>& rooms) {
  auto it = claimed_.find(pid);
  if (it == claimed_.end()) return false;
  const auto& s = it->second;
  auto first = std::lower_bound(log_.begin(), log_.end(), s.from_offset,
                                [](const entry& e, std::uint64_t o) { return e.offset < o; });
  for (auto e = first; e != log_.end(); ++e)
    if (reaches(s.state.rooms, e->rooms, e->except))
      missed.insert(missed.end(), e->frames->begin(), e->frames->end());
  rooms = std::move(it->second.state.rooms);
  erase(claimed_, it);
  return true;
}

void recovery_store::forget(const std::string& pid) {
  if (auto it = claimed_.find(pid); it != claimed_.end()) erase(claimed_, it);
}

void recovery_store::expire(const std::string& pid, time_point now) {
  if (auto it = waiting_.find(pid); it != waiting_.end() && expired(it->second, now))
    erase(waiting_, it);
  if (auto it = claimed_.find(pid); it != claimed_.end() && expired(it->second, now))
    erase(claimed_, it);
  prune(now);
}

const recovery_store::time_point* recovery_store::oldest_session() {
  while (!order_.empty()) {
    const auto& [time, pid] = order_.front();
    auto alive = [&](const std::unordered_map<std::string, session>& sessions) {
      auto it = sessions.find(pid);
      return it != sessions.end() && it->second.disconnected_at == time;
    };
    if (alive(waiting_) || alive(claimed_)) return &time;
    order_.pop_front();
  }
  return nullptr;
}

void recovery_store::prune(time_point now) {
  auto horizon = now - options_.undetected_loss_window;
  if (auto oldest = oldest_session())
    horizon = std::min(horizon, *oldest - options_.undetected_loss_window);
  auto drop = [this] {
    bytes_ -= log_.front().bytes;
    log_.pop_front();
  };
  while (!log_.empty() && log_.front().time < horizon) drop();
  // Over the bound, sessions and events share it: the sessions that waited
  // longest go while they hold more than half, else the oldest events.
  const auto max = options_.max_buffered_bytes;
  while (bytes_ + session_bytes_ > max) {
    if ((session_bytes_ > max / 2 || log_.empty()) && drop_oldest_session()) continue;
    if (log_.empty()) break;
    dropped_for_bytes_ = std::max(dropped_for_bytes_, log_.front().offset);
    drop();
  }
}

}  // namespace sio::detail
