/**
 * `npm run companion:emulator`: the WeChat API emulator on loopback only.
 * Its AppID and AppSecret default to values that are obviously not real, so
 * offline play needs no account; the server must be given the same pair.
 */
import { z } from 'zod';
import { buildEmulator, DEMO_USER_ID, OFFLINE_APPID, OFFLINE_SECRET, pathOnlyRequestSerializer } from './app.ts';

const env = z
  .object({
    WECHAT_APPID: z.string().regex(/^wx[0-9a-zA-Z]{16}$/, '应是 wx 开头的 18 位 AppID').default(OFFLINE_APPID),
    WECHAT_SECRET: z.string().min(16, 'AppSecret 至少 16 个字符').default(OFFLINE_SECRET),
    EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    // `npm run companion` sets it to the demo user, so wx.login in WeChat DevTools works offline.
    EMULATOR_DEVTOOLS_USER: z.string().min(1).optional(),
  })
  .safeParse(Object.fromEntries(Object.entries(process.env).filter(([, value]) => value)));
if (!env.success) {
  console.error(`模拟器配置有误 (invalid emulator configuration):\n${env.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  process.exit(1);
}

const { app, world } = buildEmulator({
  appid: env.data.WECHAT_APPID,
  secret: env.data.WECHAT_SECRET,
  ...(env.data.EMULATOR_DEVTOOLS_USER ? { devtoolsUserId: env.data.EMULATOR_DEVTOOLS_USER } : {}),
  logger: { level: 'info', serializers: { req: pathOnlyRequestSerializer } },
});
world.registerUser({ id: DEMO_USER_ID, nickname: '演示用户', phoneNumber: '13800138000', countryCode: '86' });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}

// Loopback only: this is a toy WeChat that hands out codes to anyone who asks.
const address = await app.listen({ host: '127.0.0.1', port: env.data.EMULATOR_PORT });
app.log.info(`WeChat API emulator for ${env.data.WECHAT_APPID} at ${address}; test user "${DEMO_USER_ID}": POST ${address}/__dev/login-code {"userId":"${DEMO_USER_ID}"}`);
