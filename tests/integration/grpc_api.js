// A plain client of the ServerService for the cluster tests: unary calls
// without a token, each with a deadline (5 s unless told).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const here = path.dirname(fileURLToPath(import.meta.url));
const loaded = protoLoader.loadSync('socketio/v1/socketio.proto', {
  includeDirs: [path.resolve(here, '../../protocol/proto')],
  keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
});
const pkg = grpc.loadPackageDefinition(loaded).socketio.v1;

export function grpcClient(address) {
  const c = new pkg.ServerService(address, grpc.credentials.createInsecure());
  const call = (method, request, deadlineMs = 5000) => new Promise((resolve, reject) => {
    c[method](request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs },
              (err, reply) => (err ? reject(err) : resolve(reply)));
  });
  return { call, close: () => c.close() };
}

/** A Payload of JSON arguments. */
export const payload = (...args) => ({ args: args.map((a) => ({ json: JSON.stringify(a) })), attachments: [] });
