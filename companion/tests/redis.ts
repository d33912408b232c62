/**
 * A throwaway redis-server on a free loopback port, with persistence off,
 * for tests that need several instances to share one cache.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../free-port.ts';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

export function redisServerAvailable(): boolean {
  return spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;
}


export interface RunningRedis {
  url: string;
  client(): Redis;
  stop(): Promise<void>;
}

/** `port` restarts a Redis where a stopped one was, to test recovery from an outage. */
export async function startRedis(port?: number): Promise<RunningRedis & { port: number }> {
  port ??= await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 5 s')), 5000);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const clients: Redis[] = [];
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    port,
    client() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.quit()));
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
