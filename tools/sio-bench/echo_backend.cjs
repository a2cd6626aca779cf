// The trivial backend of the proxy scenario of tools/bench.sh (--scenarios proxy):
// accepts every connect and answers each event's ack with its own arguments.
// Prints "listening PORT" once it serves.
'use strict';

const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
module.paths.push(path.join(ROOT, 'tests', 'integration', 'node_modules'));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const definition = protoLoader.loadSync('socketio/v1/socketio.proto', {
  includeDirs: [path.join(ROOT, 'protocol', 'proto')], keepCase: true, longs: Number, oneofs: true,
});
const pkg = grpc.loadPackageDefinition(definition).socketio.v1;
const server = new grpc.Server();
server.addService(pkg.BackendService.service, {
  Connect: (call, cb) => cb(null, { accept: {} }),
  Event: (call, cb) => cb(null, { ack: call.request.payload }),
  Disconnect: (call, cb) => cb(null, {}),
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(`listening ${port}`);
});
process.on('SIGTERM', () => server.forceShutdown());
