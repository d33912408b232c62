/**
 * What the server says about each request. Fastify's default is two info
 * lines per request, which cost GET /api/me about a sixth of its throughput;
 * a request that went well says nothing unless LOG_LEVEL is debug. Whatever
 * an operator has to look at is still logged at info and above: refusals
 * (4xx: bad tokens, probing, rate limits), failures (5xx) and slow requests.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Slower than this is worth a warning even when it succeeded: WeChat or SQLite is struggling. */
export const SLOW_REQUEST_MS = 1000;

export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const { statusCode, elapsedTime: responseTime } = reply;
    // A refusal or failure line carries the request too: at info there was no "incoming request" line before it.
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime }, 'request errored');
    else if (statusCode >= 500) reply.log.warn({ req: request, res: reply, responseTime }, 'request failed');
    else if (responseTime > SLOW_REQUEST_MS) reply.log.warn({ req: request, res: reply, responseTime }, 'slow request');
    else if (statusCode >= 400) reply.log.info({ req: request, res: reply, responseTime }, 'request refused');
    else reply.log.debug({ res: reply, responseTime }, 'request completed');
  }
}
