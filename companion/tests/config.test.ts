import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATABASE, loadConfig } from '../server/src/config.ts';
import { APPID, SECRET, TOKEN_SECRET } from './helpers.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const KEY_1 = Buffer.alloc(32, 1).toString('base64');
const KEY_2 = Buffer.alloc(32, 2).toString('base64');
const minimal = { WECHAT_APPID: APPID, WECHAT_SECRET: SECRET, TOKEN_SECRET, SESSION_ENCRYPTION_KEYS: `k1:${KEY_1}` };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig(minimal)).toMatchObject({
      WECHAT_API_BASE: 'https://api.weixin.qq.com',
      PORT: 3000,
      HOST: '127.0.0.1',
      DATABASE: DEFAULT_DATABASE,
      LOGIN_RATE_LIMIT_PER_MINUTE: 60,
      PHONE_RATE_LIMIT_PER_USER_PER_MINUTE: 5,
      PHONE_RATE_LIMIT_PER_CLIENT_PER_MINUTE: 20,
      REQUEST_TIMEOUT_MS: 30_000,
      KEEP_ALIVE_TIMEOUT_MS: 10_000,
      MAX_CONNECTIONS: 1024,
      TOKEN_TTL_SECONDS: 7200,
    });
    expect(DEFAULT_DATABASE.replace(/\\/g, '/')).toMatch(/companion\/server\/data\/companion\.db$/);
    expect(loadConfig(minimal).REDIS_URL).toBeUndefined();
    expect(loadConfig(minimal).ADMIN_DIAGNOSTICS).toBe(false);
    expect(loadConfig({ ...minimal, ADMIN_DIAGNOSTICS: 'true' }).ADMIN_DIAGNOSTICS).toBe(true);
  });

  it('lists every missing variable at once', () => {
    const found = problems({});
    expect(found.map((line) => line.split(':')[0]).sort()).toEqual(['TOKEN_SECRET', 'WECHAT_APPID', 'WECHAT_SECRET']);
  });

  it('refuses a TOKEN_SECRET shorter than 32 bytes without echoing it', () => {
    const found = problems({ ...minimal, TOKEN_SECRET: 'short-secret-value' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^TOKEN_SECRET: .*32/);
    expect(found.join()).not.toContain('short-secret-value');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['WECHAT_API_BASE', 'api.weixin.qq.com'],
    ['WECHAT_API_BASE', 'ftp://127.0.0.1:4000'],
    ['REDIS_URL', 'localhost:6379'],
    ['WECHAT_APPID', 'my-app'],
    ['LOGIN_RATE_LIMIT_PER_MINUTE', '0'],
    ['PHONE_RATE_LIMIT_PER_USER_PER_MINUTE', '0'],
    ['PHONE_RATE_LIMIT_PER_CLIENT_PER_MINUTE', 'many'],
    ['REQUEST_TIMEOUT_MS', '0'],
    ['REQUEST_TIMEOUT_MS', '999'],
    ['KEEP_ALIVE_TIMEOUT_MS', '-5'],
    ['MAX_CONNECTIONS', '0'],
    ['MAX_CONNECTIONS', '1.5'],
    ['SESSION_ENCRYPTION_KEYS', 'not-a-key'],
    ['SESSION_ENCRYPTION_KEYS', `k1:${Buffer.alloc(16).toString('base64')}`],
    ['SESSION_ENCRYPTION_KEYS', `k1:${KEY_1},k1:${KEY_2}`],
    ['SESSION_ENCRYPTION_KEYS', `dev-x:${KEY_1}`],
    ['ADMIN_DIAGNOSTICS', 'yes'],
    ['ADMIN_DIAGNOSTICS', '1'],
  ])('rejects %s=%s', (name, value) => {
    expect(problems({ ...minimal, [name]: value }).map((line) => line.split(':')[0])).toEqual([name]);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['10.0.0.1, 10.0.1.0/24', ['10.0.0.1', '10.0.1.0/24']],
    ['loopback,::1', ['loopback', '::1']],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ ...minimal, TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it('does not trust proxies unless told to', () => {
    expect(loadConfig(minimal).TRUST_PROXY).toBe(false);
    for (const value of ['yes please', '2', '10.0.0.0/33', '10.0.0.1,nginx']) {
      expect(problems({ ...minimal, TRUST_PROXY: value }).map((line) => line.split(':')[0])).toEqual(['TRUST_PROXY']);
    }
  });

  it('reads the session encryption keys newest first, and never echoes one in a problem', () => {
    expect(loadConfig({ ...minimal, SESSION_ENCRYPTION_KEYS: `k2:${KEY_2}, k1:${KEY_1}` }).SESSION_ENCRYPTION_KEYS).toEqual([
      { id: 'k2', key: Buffer.alloc(32, 2) },
      { id: 'k1', key: Buffer.alloc(32, 1) },
    ]);
    expect(problems({ ...minimal, SESSION_ENCRYPTION_KEYS: `k1:${KEY_1.slice(4)}` }).join()).not.toContain(KEY_1.slice(4));
  });

  it('requires the session encryption keys unless WECHAT_API_BASE is the emulator on loopback', () => {
    const { SESSION_ENCRYPTION_KEYS: _keys, ...withoutKeys } = minimal;
    expect(problems(withoutKeys).map((line) => line.split(':')[0])).toEqual(['SESSION_ENCRYPTION_KEYS']);
    expect(problems({ ...withoutKeys, WECHAT_API_BASE: 'https://wechat-proxy.example.com' }).map((line) => line.split(':')[0])).toEqual([
      'SESSION_ENCRYPTION_KEYS',
    ]);
    expect(loadConfig({ ...withoutKeys, WECHAT_API_BASE: 'http://127.0.0.1:4000' }).SESSION_ENCRYPTION_KEYS).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ ...minimal, PORT: '', REDIS_URL: '' });
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('makes `npm run companion:server` exit 1 with a clear message when the secrets are missing', () => {
    const { PATH, HOME } = process.env;
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'companion/server/src/server.ts'], {
      cwd: repoRoot,
      env: { PATH, HOME, WECHAT_APPID: APPID },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('TOKEN_SECRET');
    expect(result.stderr).toContain('WECHAT_SECRET');
    expect(result.stderr).toContain('companion/README.md');
  });
});
