/**
 * Where the code the simulators point at lives: the companion's mini program
 * and server, and the developer-server core the companion server runs (the
 * simulator runs the same core). No second copy exists for the site.
 */
export const MINIPROGRAM = 'companion/miniprogram/miniprogram';
export const SERVER = 'companion/server/src';
export const CORE = 'src/world/developer/developer-server.ts';
export const CRYPTO = 'src/world/support/crypto.ts';
