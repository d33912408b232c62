/**
 * Phone number, old and new flow: thin adapters to the developer-server
 * core's phoneDecrypt / exchangePhoneCode, which the site's 获取手机号 simulator runs too.
 */
import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify';
import {
  phoneCodeBodySchema,
  phoneDecryptBodySchema,
  type DeveloperServer,
} from '../../../../src/world/developer/developer-server.ts';
import { replies } from '../errors.ts';
import { limiter } from '../rate-limits.ts';

export interface PhoneRoutesOptions {
  developer: DeveloperServer;
  perUserPerMinute: number;
  perClientPerMinute: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the login check on routes that require one. */
    caller: string | null;
  }
}

/**
 * The serializer writes only these three fields: the decrypted payload's
 * watermark, or anything else the core might one day pass along, stays on the server.
 */
const phoneResponse = replies({ phoneNumber: { type: 'string' }, purePhoneNumber: { type: 'string' }, countryCode: { type: 'string' } });

export const phoneRoutes: FastifyPluginAsync<PhoneRoutesOptions> = async (app, { developer, perUserPerMinute, perClientPerMinute }) => {
  app.decorateRequest('caller', null);

  // #region decrypt-route
  app.post(
    '/api/phone/decrypt',
    { schema: { body: phoneDecryptBodySchema, response: phoneResponse } },
    async (request, reply) => {
      const { status, body } = await developer.phoneDecrypt(request.headers.authorization, request.body);
      // A phone number is personal data: no proxy or client HTTP cache may keep it.
      return reply.code(status).header('cache-control', 'no-store').send(body);
    },
  );
  // #endregion

  const requireLogin: preHandlerAsyncHookHandler = async (request, reply) => {
    const auth = await developer.authenticate(request.headers.authorization);
    if (!auth.ok) return reply.code(auth.response.status).send(auth.response.body);
    request.caller = auth.openid;
  };

  /**
   * Every call here is a getuserphonenumber call. WeChat bills at the button's
   * success callback, before the server sees the code, so the limits here
   * protect the interface's own frequency limit (45011) and stop one account
   * or script from farming numbers: only a logged-in user may call, a few per
   * minute, and one client address not many more; the cheap per-client check
   * runs before the login check, which reads SQLite.
   */
  // #region code-route
  app.post(
    '/api/phone/code',
    {
      schema: { body: phoneCodeBodySchema, response: phoneResponse },
      preHandler: [
        limiter(app, 'phone-code:client', perClientPerMinute, (request) => request.ip),
        requireLogin,
        limiter(app, 'phone-code:user', perUserPerMinute, (request) => request.caller ?? ''),
      ],
    },
    async (request, reply) => {
      // The caller's openid goes to WeChat, which refuses a code that was issued to someone else.
      const { status, body } = await developer.exchangePhoneCode(request.body, request.caller ?? undefined);
      return reply.code(status).header('cache-control', 'no-store').send(body);
    },
  );
  // #endregion
};
