/**
 * Diagnostics for the operator, not for the mini program: registered only
 * when ADMIN_DIAGNOSTICS is true, and answering only requests that come from
 * this machine. Anything else gets the same 404 as a path that does not exist,
 * so a scan learns nothing from it.
 *
 * The loopback check reads the socket, not request.ip: behind TRUST_PROXY,
 * request.ip comes from X-Forwarded-For, which a client writes itself. A
 * request that carries proxy headers was relayed by a proxy on this machine on
 * behalf of somebody else, so it is refused too.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { apiError } from '../../../../src/world/support/http.ts';

/** What the access_token provider did since the process started. */
export interface UpstreamStats {
  /** Calls to WeChat's stable_token endpoint, successful or not. */
  accessTokenFetches: number;
  /** Tokens WeChat refused with 40001 / 42001 (each leads to one refresh and one retry). */
  rejectedAccessTokens: number;
}

export interface AdminRoutesOptions {
  stats: () => UpstreamStats;
  startedAt: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const PROXY_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'forwarded'];

function fromThisMachine(request: FastifyRequest): boolean {
  const address = request.socket.remoteAddress;
  return address !== undefined && LOOPBACK.has(address) && PROXY_HEADERS.every((header) => request.headers[header] === undefined);
}

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, { stats, startedAt }) => {
  // Every method, so that from outside even a POST gets the plain 404 rather than a 405 that names GET.
  app.all('/__admin/upstream-stats', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (!fromThisMachine(request)) return reply.code(404).send(apiError(404, 'NOT_FOUND', `没有这个接口：${request.method} ${path}`).body);
    if (request.method !== 'GET') return reply.code(405).header('allow', 'GET').send(apiError(405, 'METHOD_NOT_ALLOWED', `${path} 只接受 GET`).body);
    return reply.header('cache-control', 'no-store').send({ since: new Date(startedAt).toISOString(), ...stats() });
  });
};
