// A real redis-server for the cluster tests: started on a free loopback port,
// stopped (or killed, paused) by its pid; and the Node node that joins it.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { eventually, startServer, withTimeout } from './server.js';

export { eventually };

const here = path.dirname(fileURLToPath(import.meta.url));

const live = new Set();
process.once('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/** A loopback port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Starts redis-server; `start()` again restarts it (empty) on the same port. */
export async function startRedis(port = null) {
  const redis = { port: port ?? (await freePort()), child: null };
  redis.url = () => `redis://127.0.0.1:${redis.port}`;
  redis.start = async () => {
    const child = spawn('redis-server', ['--port', String(redis.port), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
    live.add(child);
    const exited = new Promise((resolve) => child.once('exit', () => { live.delete(child); resolve(); }));
    redis.child = child;
    redis.exited = exited;
    await eventually(() => accepts(redis.port), 10000, `redis-server on port ${redis.port}`);
  };
  redis.kill = async () => {
    if (!redis.child || redis.child.exitCode !== null) return;
    process.kill(redis.child.pid, 'SIGKILL');
    await withTimeout(redis.exited, 5000, 'redis-server to exit');
  };
  redis.pause = () => process.kill(redis.child.pid, 'SIGSTOP');
  redis.resume = () => process.kill(redis.child.pid, 'SIGCONT');
  await redis.start();
  return redis;
}

/** A Node socket.io 4.8 node with the Redis adapter (cluster_node.js) on `redis`, channels prefixed `key`. */
export async function startNodeNode(redis, key = 'socket.io') {
  const child = spawn(process.execPath,
    [path.join(here, 'cluster_node.js'), '--redis-url', redis.url(), '--redis-key', key],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  child.stdout.setEncoding('utf8');
  const port = await withTimeout(new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    exited.then((code) => reject(new Error(`cluster_node.js exited with ${code}`)));
  }), 10000, 'the Node node to listen');
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => { child.kill('SIGTERM'); await withTimeout(exited, 5000, 'the Node node to exit'); },
  };
}

/**
 * A mixed cluster on a redis-server of its own: two sio-server nodes (app
 * contract; the first with a gRPC listener at `grpcAddress`) and a Node
 * node, once all three listen on the request channel. `rc` is a Redis
 * client for the test; stop() ends it all and checks that our nodes drained.
 */
export async function startMixedCluster() {
  const redis = await startRedis();
  const grpcPort = await freePort();
  const ours = await startServer({
    app: 'contract', path: '/socket.io/', adapter: 'redis', 'redis-url': redis.url(),
    'grpc-listen': `127.0.0.1:${grpcPort}`,
  });
  const ours2 = await startServer({ app: 'contract', path: '/socket.io/', adapter: 'redis', 'redis-url': redis.url() });
  const node = await startNodeNode(redis);
  const rc = createClient({ url: redis.url() });
  rc.on('error', () => {});
  await rc.connect();
  await eventually(async () => (await rc.pubSubNumSub('socket.io-request#/#'))['socket.io-request#/#'] === 3,
                   5000, 'the three nodes subscribed');
  return {
    redis, ours, ours2, node, rc, grpcAddress: `127.0.0.1:${grpcPort}`,
    stop: async () => {
      await rc.quit().catch(() => {});
      await node.stop();
      for (const s of [ours, ours2]) {
        const how = await s.stop();
        assert.equal(how.forced, false, s.output());
      }
      await redis.kill();
    },
  };
}
