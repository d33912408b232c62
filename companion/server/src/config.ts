/**
 * The server's configuration, read once from the environment at start.
 * Every problem is reported at once, by variable name, so a wrong deploy
 * fails before it listens instead of on the first login.
 */
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const DEFAULT_DATABASE = fileURLToPath(new URL('../data/companion.db', import.meta.url));

/** What proxy-addr (behind fastify's trustProxy) accepts: checked here so a typo gets a clear message, not a stack trace. */
function isProxyAddress(part: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(part)) return true;
  const [address = '', prefix, ...rest] = part.split('/');
  if (rest.length > 0 || isIP(address) === 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(address) === 4 ? 32 : 128));
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Where WeChat's API is reached: an http(s) address, never a scheme fetch() cannot call (ftp:, file:). */
function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

const envSchema = z.object({
  WECHAT_APPID: z
    .string({ required_error: '必填：小程序的 AppID（wx 开头的 18 位）' })
    .regex(/^wx[0-9a-zA-Z]{16}$/, '应是 wx 开头的 18 位 AppID，例如 wx1234567890abcdef'),
  WECHAT_SECRET: z
    .string({ required_error: '必填：小程序的 AppSecret（只放在服务器环境变量里，不要提交进仓库）' })
    .min(16, 'AppSecret 太短，请从微信公众平台「开发管理 → 开发设置」复制完整的值')
    .refine((value) => value.trim() === value, '首尾有空白，多半是复制时带上的'),
  WECHAT_API_BASE: z
    .string()
    .refine(isHttpUrl, '应是 http(s) URL，例如 https://api.weixin.qq.com 或本地模拟器 http://127.0.0.1:4000')
    .default('https://api.weixin.qq.com')
    .transform((value) => value.replace(/\/+$/, '')),
  WECHAT_TIMEOUT_MS: integer(100, 60_000).default(5000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integer(0, 65535).default(3000),
  TOKEN_SECRET: z
    .string({ required_error: '必填：签发登录 token 的密钥，至少 32 字节，例如 `openssl rand -base64 48` 的输出' })
    .refine((value) => Buffer.byteLength(value, 'utf8') >= 32, '至少要 32 字节（HS256 的密钥不能比摘要短）'),
  TOKEN_TTL_SECONDS: integer(60, 7 * 24 * 3600).default(7200),
  DATABASE: z.string().min(1).default(DEFAULT_DATABASE),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, '应以 redis:// 或 rediss:// 开头')
    .optional(),
  LOGIN_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(60),
  /**
   * Phone numbers are billed at the button's success callback, not here; these
   * budgets keep one user or one client address (several accounts on one device,
   * or a script) from using up getuserphonenumber's frequency limit (45011).
   */
  PHONE_RATE_LIMIT_PER_USER_PER_MINUTE: integer(1, 1_000_000).default(5),
  PHONE_RATE_LIMIT_PER_CLIENT_PER_MINUTE: integer(1, 1_000_000).default(20),
  /** A request whose body is not complete by then gets 408 and its socket closed (slow-body attacks). */
  REQUEST_TIMEOUT_MS: integer(1000, 600_000).default(30_000),
  /** An idle keep-alive connection is closed after this long. */
  KEEP_ALIVE_TIMEOUT_MS: integer(1000, 600_000).default(10_000),
  /** Connections beyond this are refused at accept, before they can hold memory or a file descriptor for long. */
  MAX_CONNECTIONS: integer(1, 1_000_000).default(1024),
  /**
   * Keys that encrypt session_key at rest (AES-256-GCM): comma-separated
   * `<id>:<base64 of 32 random bytes>`, newest first. The first encrypts;
   * the others only decrypt, and rows under them are re-encrypted on start,
   * so an old key can be removed after one restart. Generate one with
   * `node -e "console.log('k1:' + require('crypto').randomBytes(32).toString('base64'))"`.
   * Optional only against a loopback WECHAT_API_BASE (the emulator).
   */
  SESSION_ENCRYPTION_KEYS: z
    .string()
    .transform((value, context) => {
      const keys: EncryptionKey[] = [];
      for (const part of value.split(',').map((item) => item.trim())) {
        const match = /^([\w-]{1,32}):([A-Za-z0-9+/]+={0,2})$/.exec(part);
        const key = match ? Buffer.from(match[2]!, 'base64') : undefined;
        if (!match || key?.length !== 32) {
          context.addIssue({ code: z.ZodIssueCode.custom, message: '每一项应是 <id>:<32 字节的 Base64>，例如 k1:…（用 crypto.randomBytes(32) 生成）' });
          return z.NEVER;
        }
        if (match[1]!.startsWith('dev-')) {
          context.addIssue({ code: z.ZodIssueCode.custom, message: 'dev- 开头的 id 留给开发用的派生密钥，请换一个' });
          return z.NEVER;
        }
        if (keys.some((existing) => existing.id === match[1])) {
          context.addIssue({ code: z.ZodIssueCode.custom, message: `密钥 id ${match[1]} 重复了` });
          return z.NEVER;
        }
        keys.push({ id: match[1]!, key });
      }
      return keys;
    })
    .optional(),
  /**
   * Behind nginx or a cloud load balancer every request comes from the proxy,
   * so the per-client limit would lump all users together unless the server
   * trusts X-Forwarded-For from it: the proxies' addresses/CIDRs, or `true`
   * (only if nothing but the proxy can reach the server).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine(
      (value) => value === 'true' || value === 'false' || value.split(',').every((part) => isProxyAddress(part.trim())),
      '应是 true、false，或逗号分隔的代理 IP / CIDR（如 10.0.0.0/8）/ loopback、linklocal、uniquelocal',
    )
    .transform((value): boolean | string[] =>
      value === 'true' || value === 'false' ? value === 'true' : value.split(',').map((part) => part.trim()),
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * `GET /__admin/upstream-stats`: how many times this process fetched the
   * access_token from WeChat and how many tokens WeChat refused. Off unless
   * set to true; even then it answers only requests made on this machine
   * (loopback socket, no proxy headers), so it is not reachable through a proxy.
   */
  ADMIN_DIAGNOSTICS: z.enum(['true', 'false'], { message: '应是 true 或 false' }).default('false').transform((value) => value === 'true'),
  /**
   * The Token of 开发管理 → 消息推送配置: with it, `POST /api/wechat/events`
   * receives WeChat's event pushes (JSON, 明文模式) and checks their signature.
   * 3–32 letters or digits is what developers report the admin form accepts; the message-push page
   * itself states no rule, so this check is ours.
   */
  WECHAT_PUSH_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, '应是 3 到 32 位字母或数字，与公众平台「消息推送配置」里的 Token 相同')
    .optional(),
  /**
   * subscribe/send's miniprogram_state. The community uses developer or trial while testing to get past
   * 41030 for pages not yet live; the docs do not say those versions skip the check.
   */
  SUBSCRIBE_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
  /**
   * Optional JSON object: template id → its keyword keys, e.g.
   * {"<id>":["thing1","time2"]}. A configured template's data is checked
   * before it goes to WeChat (missing or extra keys, the value table).
   */
  SUBSCRIBE_TEMPLATES: z
    .string()
    .transform((value, context) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      const templates = z.record(z.string().min(1).max(128), z.array(z.string().regex(/^[a-z_]+\d+$/)).min(1).max(30)).safeParse(parsed);
      if (!templates.success) {
        context.addIssue({ code: z.ZodIssueCode.custom, message: '应是 JSON 对象：模板 id → 关键词数组，例如 {"abc":["thing1","time2"]}' });
        return z.NEVER;
      }
      return templates.data;
    })
    .optional(),
});

/** One AES-256 key and the id stored beside every row it encrypted. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Only the emulator may run without a real encryption key; anything that reaches the real WeChat holds real session keys. */
const checkedEnvSchema = envSchema.superRefine((config, context) => {
  if (config.SESSION_ENCRYPTION_KEYS || LOOPBACK_HOSTS.has(new URL(config.WECHAT_API_BASE).hostname)) return;
  context.addIssue({
    code: z.ZodIssueCode.custom,
    path: ['SESSION_ENCRYPTION_KEYS'],
    message: '连接真实微信接口时必填：加密保存 session_key 的密钥，格式 k1:<32 字节的 Base64>',
  });
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`配置有误 (invalid configuration):\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, so `PORT=` in a .env file falls back to the default. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = checkedEnvSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  // Messages name the variable but never echo its value: it may be a secret.
  throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}
