#include "ack_stream.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

namespace sio::rpc {
namespace {

struct writer_state {
  grpc::CallbackServerContext* ctx = nullptr;
  stream_out<pb::EmitWithAckStreamResponse> out;
  std::function<void()> ended;
};

using writer_actor = caf::stateful_actor<writer_state>;

caf::behavior writer(writer_actor* self, grpc::CallbackServerContext* ctx,
                     ack_stream_reactor* reactor, std::function<void()> ended) {
  self->state.ctx = ctx;
  self->state.out = stream_out<pb::EmitWithAckStreamResponse>(reactor);
  self->state.ended = std::move(ended);
  auto check_end = [self] {
    auto& st = self->state;
    if (!st.out.finished()) return;
    if (st.ended) st.ended();
    st.ended = nullptr;
    self->quit();
  };
  auto fail = [self, check_end](const rpc_error& e) {
    auto& st = self->state;
    if (st.out.open()) {
      st.ctx->AddTrailingMetadata("sio-error-reason", e.reason);
      st.out.abort(grpc::Status(e.code, e.message));
    }
    check_end();
  };
  return {
      [self](atoms::push, pb::EmitWithAckStreamResponse& m) { self->state.out.push(std::move(m)); },
      [self, check_end](atoms::finish) {
        self->state.out.finish(grpc::Status::OK);
        check_end();
      },
      [fail](atoms::fail, const rpc_error& e) { fail(e); },
      [self, check_end](atoms::written, bool ok) {
        self->state.out.on_written(ok);
        check_end();
      },
      [self, check_end](atoms::cancelled) {
        self->state.out.abort(grpc::Status::CANCELLED);
        check_end();
      },
      [fail](atoms::shut_down) {
        fail({grpc::StatusCode::UNAVAILABLE, "SHUTTING_DOWN", "the server is shutting down"});
      },
  };
}

}  // namespace

caf::actor spawn_ack_stream_writer(caf::actor_system& sys, grpc::CallbackServerContext* ctx,
                                   ack_stream_reactor* reactor, std::function<void()> ended) {
  return sys.spawn(writer, ctx, reactor, std::move(ended));
}

}  // namespace sio::rpc
