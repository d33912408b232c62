/**
 * 转发: the 群排行榜 page sends what wx.getGroupEnterInfo returned; a thin
 * adapter to the developer-server core's share-groups service, which the
 * site's 转发 simulator runs too.
 */
import type { FastifyPluginAsync } from 'fastify';
import { groupInfoBodySchema, type ShareGroupService } from '../../../../src/world/developer/share-groups.ts';
import { replies } from '../errors.ts';

export interface ShareRoutesOptions {
  share: ShareGroupService;
}

/** Only the group id and the member count leave the server; the decrypted watermark stays here. */
const groupResponse = replies({ opengid: { type: 'string' }, members: { type: 'integer' } });

export const shareRoutes: FastifyPluginAsync<ShareRoutesOptions> = async (app, { share }) => {
  // #region group-route
  app.post('/api/share/group', { schema: { body: groupInfoBodySchema, response: groupResponse } }, async (request, reply) => {
    const { status, body } = await share.decryptGroup(request.headers.authorization, request.body);
    return reply.code(status).header('cache-control', 'no-store').send(body);
  });
  // #endregion
};
