/**
 * Phone number, old and new flow: thin adapters to the developer-server
 * core's phoneDecrypt / phoneCode, which the site's 获取手机号 simulator runs too.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  phoneCodeBodySchema,
  phoneDecryptBodySchema,
  type DeveloperServer,
} from '../../../../src/world/developer/developer-server.ts';
import { errorEnvelopeSchema } from '../errors.ts';

export interface PhoneRoutesOptions {
  developer: DeveloperServer;
}

/**
 * The serializer writes only these three fields: the decrypted payload's
 * watermark, or anything else the core might one day pass along, stays on the server.
 */
const phoneResponse = {
  200: {
    type: 'object',
    properties: {
      phoneNumber: { type: 'string' },
      purePhoneNumber: { type: 'string' },
      countryCode: { type: 'string' },
    },
    required: ['phoneNumber', 'purePhoneNumber', 'countryCode'],
    additionalProperties: false,
  },
  '4xx': errorEnvelopeSchema,
  '5xx': errorEnvelopeSchema,
} as const;

export const phoneRoutes: FastifyPluginAsync<PhoneRoutesOptions> = async (app, { developer }) => {
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

  // #region code-route
  app.post(
    '/api/phone/code',
    { schema: { body: phoneCodeBodySchema, response: phoneResponse } },
    async (request, reply) => {
      const { status, body } = await developer.phoneCode(request.headers.authorization, request.body);
      return reply.code(status).header('cache-control', 'no-store').send(body);
    },
  );
  // #endregion
};
