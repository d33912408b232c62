/**
 * The back end the mini program talks to in its tests: the WeChat emulator
 * and the companion developer server, on 127.0.0.1 with random ports, the
 * server on a clock the test can move (tokens expire after 2 hours).
 */
import { buildEmulator, type Emulator } from '../../emulator/src/app.ts';
import { APPID, manualClock, SECRET, startServer, tempDir, testConfig, type RunningServer } from '../helpers.ts';

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
    testConfig({ WECHAT_API_BASE: emulatorUrl, DATABASE: `${dir.path}/companion.db`, LOG_LEVEL: 'silent' }),
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
