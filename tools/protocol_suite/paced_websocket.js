// The socket.io-protocol suite waits for each message with a listener it adds
// once the previous message arrived. Browsers dispatch one message event per
// task, so that works there; the suite's pinned `ws` emits every message of
// one TCP read at once, and a message this server wrote in the same segment
// as the previous one reaches no listener. This WebSocket dispatches its
// message and close events one per task, in order, as browsers do.
export function paced(WebSocket) {
  return class PacedWebSocket extends WebSocket {
    constructor(...args) {
      super(...args);
      const emit = this.emit.bind(this);
      const queue = [];
      const pump = () => {
        emit(...queue.shift());
        if (queue.length) setImmediate(pump);
      };
      this.emit = (name, ...rest) => {
        if (name !== 'message' && name !== 'close' && queue.length === 0) return emit(name, ...rest);
        if (queue.push([name, ...rest]) === 1) setImmediate(pump);
        return true;
      };
    }
  };
}
