/**
 * `npm run companion:server`: read the environment, listen, and close
 * cleanly on SIGINT/SIGTERM so SQLite's WAL is checkpointed and Redis is quit.
 */
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  console.error('See companion/README.md for every variable. 每个变量的说明见 companion/README.md。');
  process.exit(1);
}

let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp(config);
} catch (error) {
  // E.g. sessions sealed under a key that SESSION_ENCRYPTION_KEYS no longer lists: say so plainly and stop.
  console.error(`无法启动 (cannot start): ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // A stuck connection must not keep a deploy waiting forever.
    setTimeout(() => process.exit(1), 10_000).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ host: config.HOST, port: config.PORT });
} catch (error) {
  app.log.fatal({ err: error }, 'could not listen');
  await app.close();
  process.exit(1);
}
