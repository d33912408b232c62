/**
 * Login and "who am I": thin adapters from fastify to the developer-server
 * core in src/world/developer, which the site's simulator runs step by step too.
 */
import type { FastifyPluginAsync } from 'fastify';
import { loginBodySchema, type DeveloperServer } from '../../../../src/world/developer/developer-server.ts';
import { replies } from '../errors.ts';

export interface AuthRoutesOptions {
  developer: DeveloperServer;
  loginPerMinute: number;
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, { developer, loginPerMinute }) => {
  // #region route
  app.post(
    '/api/login',
    {
      schema: {
        body: loginBodySchema,
        // The serializer writes only these fields: a stray session_key could not leave even if the core put it there.
        response: replies({ token: { type: 'string' }, expiresIn: { type: 'integer' } }),
      },
      config: { rateLimit: { max: loginPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const { status, body } = await developer.login(request.body);
      // A login token must not sit in a proxy or client HTTP cache.
      return reply.code(status).header('cache-control', 'no-store').send(body);
    },
  );
  // #endregion

  // #region me
  app.get(
    '/api/me',
    {
      schema: {
        response: replies({ openid: { type: 'string' } }),
      },
    },
    async (request, reply) => {
      const { status, body } = await developer.me(request.headers.authorization);
      return reply.code(status).send(body);
    },
  );
  // #endregion
};
