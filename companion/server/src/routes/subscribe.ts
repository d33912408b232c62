/**
 * Subscribe messages (订阅消息): thin adapters to the developer-server core in
 * src/world/developer/subscribe-send.ts, which the site's simulator runs too.
 *
 * - `POST /api/subscribe/send` (Bearer): one message to the caller's own openid.
 * - `POST /api/wechat/events`: WeChat's 消息推送 (JSON, 明文模式), signature
 *   checked; `GET` answers WeChat's URL check.
 * - `GET /api/subscribe/estimate` (Bearer): what the pushes say the caller may
 *   still be sent, per template.
 *
 * The last two exist only when WECHAT_PUSH_TOKEN is set: without pushes there
 * is nothing to verify and nothing to estimate from.
 */
import type { FastifyPluginAsync, preValidationAsyncHookHandler } from 'fastify';
import * as v from 'valibot';
import { WeChatBadResponseError, type DeveloperServer } from '../../../../src/world/developer/developer-server.ts';
import {
  subscribeSendBodySchema,
  type SubscribeEventReceiver,
  type SubscribeSendApi,
  type SubscribeSender,
} from '../../../../src/world/developer/subscribe-send.ts';
import type { SubscribeSendResponse } from '../../../../src/world/wechat/subscribe-messages.ts';
import { WeChatUnreachableError } from '../wechat-api.ts';
import { replies } from '../errors.ts';

export interface SubscribeRoutesOptions {
  developer: DeveloperServer;
  sender: SubscribeSender;
  /** Absent when WECHAT_PUSH_TOKEN is not configured: then no push URL is served. */
  events?: SubscribeEventReceiver;
}

const sendReply = v.union([
  v.object({ errcode: v.optional(v.literal(0)), errmsg: v.optional(v.string()), msgid: v.union([v.number(), v.string()]) }),
  v.object({ errcode: v.pipe(v.number(), v.integer(), v.check((code) => code !== 0)), errmsg: v.optional(v.string(), '') }),
]);

/**
 * `POST /cgi-bin/message/subscribe/send` over HTTP, with the same care as
 * wechat-api.ts: a deadline, no redirects (the URL carries the access_token),
 * and nothing used that does not match the documented reply.
 */
// #region send-client
export function createSubscribeSendApi(options: { baseUrl: string; timeoutMs: number }): SubscribeSendApi {
  return {
    async sendSubscribeMessage(accessToken, body) {
      const query = new URLSearchParams({ access_token: accessToken });
      let text: string;
      try {
        const response = await fetch(`${options.baseUrl}/cgi-bin/message/subscribe/send?${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // data stays an object: sending it JSON.stringify'd is the classic 47003.
          body: JSON.stringify(body),
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (!response.ok) throw new WeChatUnreachableError('subscribe/send', `HTTP ${response.status}`);
        text = await response.text();
      } catch (error) {
        if (error instanceof WeChatUnreachableError) throw error;
        throw new WeChatUnreachableError('subscribe/send', 'connection failed or timed out');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new WeChatBadResponseError('subscribe/send', 'the answer is not JSON');
      }
      const reply = v.safeParse(sendReply, parsed);
      if (!reply.success) throw new WeChatBadResponseError('subscribe/send', 'unexpected shape');
      return ('msgid' in reply.output ? { errcode: 0, errmsg: 'ok', msgid: Number(reply.output.msgid) } : reply.output) as SubscribeSendResponse;
    },
  };
}
// #endregion

const sendResponse = replies({ msgid: { type: 'number' } });

const optionalUpTo = (max: number) => v.optional(v.pipe(v.string(), v.maxLength(max)));

const pushQuery = v.strictObject({
  signature: optionalUpTo(64),
  timestamp: optionalUpTo(16),
  nonce: optionalUpTo(64),
  echostr: optionalUpTo(256),
  // Safe mode adds these; this receiver is plain mode and ignores them.
  openid: optionalUpTo(128),
  encrypt_type: optionalUpTo(16),
  msg_signature: optionalUpTo(64),
});

export const subscribeRoutes: FastifyPluginAsync<SubscribeRoutesOptions> = async (app, { developer, sender, events }) => {
  const requireLogin: preValidationAsyncHookHandler = async (request, reply) => {
    const auth = await developer.authenticate(request.headers.authorization);
    if (!auth.ok) return reply.code(auth.response.status).send(auth.response.body);
    request.subscriber = auth.openid;
  };
  app.decorateRequest('subscriber', null);

  // #region send-route
  app.post(
    '/api/subscribe/send',
    // The login check runs before the body check, so a caller without a token learns nothing about the body's rules.
    { schema: { body: subscribeSendBodySchema, response: sendResponse }, preValidation: requireLogin },
    async (request, reply) => {
      const { status, body } = await sender.send(request.subscriber ?? '', request.body);
      return reply.code(status).send(body);
    },
  );
  // #endregion

  if (!events) return;

  app.get('/api/subscribe/estimate', { preValidation: requireLogin }, async (request) => ({
    templates: events.estimateFor(request.subscriber ?? ''),
  }));

  // #region events-route
  app.post('/api/wechat/events', { schema: { querystring: pushQuery } }, async (request, reply) => {
    const { status, body } = await events.receive(request.query as v.InferOutput<typeof pushQuery>, request.body);
    return typeof body === 'string' ? reply.code(status).type('text/plain').send(body) : reply.code(status).send(body);
  });
  // #endregion

  app.get('/api/wechat/events', { schema: { querystring: pushQuery } }, async (request, reply) => {
    const { status, body } = await events.verifyUrl(request.query as v.InferOutput<typeof pushQuery>);
    return typeof body === 'string' ? reply.code(status).type('text/plain').send(body) : reply.code(status).send(body);
  });
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The openid of the logged-in caller on the subscribe routes. */
    subscriber: string | null;
  }
}
