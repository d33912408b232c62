/**
 * The back end the mini program talks to in its tests: the WeChat emulator
 * and the companion developer server, on 127.0.0.1 with random ports, the
 * server on a clock the test can move (tokens expire after 2 hours).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMiniProgram } from './harness.ts';
import { createWeChat, type FakeWeChat } from './wechat.ts';
import { buildEmulator, type Emulator } from '../../emulator/src/app.ts';
import { APPID, manualClock, SECRET, startServer, tempDir, serverConfig, type RunningServer } from '../helpers.ts';

export interface Stack {
  emulator: Emulator & { url: string };
  server: RunningServer;
  clock: ReturnType<typeof manualClock>;
  appid: string;
  userId: string;
  /** The test user's openid for this mini program, as WeChat would give it. */
  openid: string;
  phoneNumber: string;
  close(): Promise<void>;
}

export async function startStack(options: { devtoolsUser?: boolean } = {}): Promise<Stack> {
  const userId = 'reader';
  const phoneNumber = '13912345678';
  const dir = tempDir();
  const emulator = buildEmulator({ appid: APPID, secret: SECRET, ...(options.devtoolsUser ? { devtoolsUserId: userId } : {}) });
  const emulatorUrl = await emulator.app.listen({ host: '127.0.0.1', port: 0 });
  emulator.world.registerUser({ id: userId, nickname: '读者', phoneNumber, countryCode: '86' });
  const clock = manualClock();
  const server = await startServer(
    serverConfig(emulatorUrl, `${dir.path}/companion.db`),
    { clock },
  );
  return {
    emulator: { ...emulator, url: emulatorUrl },
    server,
    clock,
    appid: APPID,
    userId,
    openid: emulator.world.openid(APPID, userId),
    phoneNumber,
    async close() {
      await server.app.close();
      await emulator.app.close();
      dir.remove();
    },
  };
}

/**
 * One stack for a test file, a fresh fake WeChat and a freshly started
 * mini program before each test; `use` hands both to the file's variables.
 */
export function useCompanion(use: (stack: Stack, wechat: FakeWeChat) => void, options: { afterStart?: (stack: Stack) => void } = {}): void {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(() => {
    const wechat = createWeChat(stack!);
    startMiniProgram(wechat.wx, { serverUrl: stack!.server.url, emulator: null });
    options.afterStart?.(stack!);
    use(stack!, wechat);
  });
}

/** What the mini program asked the server, in order: `POST /api/login 200`. */
export const requestLog = (wechat: FakeWeChat) => wechat.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
