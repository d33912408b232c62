/**
 * Every failure leaves the server as `{ error: { code, message } }`, the
 * envelope of src/world/support/http.ts, including the ones fastify raises before a
 * route runs (bad JSON, oversized body, rate limit, unknown route, a URL it
 * cannot decode) and the ones Node's HTTP parser raises before fastify sees
 * a request at all (malformed request line, oversized headers, timeout).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import { apiError } from '../../../src/world/support/http.ts';

export const errorEnvelopeSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  },
  required: ['error'],
  additionalProperties: false,
} as const;

/**
 * A route's response schemas: a 200 body of exactly these fields, all required (fastify's serializer writes
 * nothing else, so a stray secret in a handler's object cannot leave), and the error envelope for 4xx and 5xx.
 */
export function replies<P extends Record<string, { type: string }>>(properties: P) {
  return {
    200: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
    '4xx': errorEnvelopeSchema,
    '5xx': errorEnvelopeSchema,
  } as const;
}

const frameworkErrors: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: '请求体超过 1 MiB 的上限' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: '请求体不是合法的 JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_JSON',
    message: 'content-type 是 application/json，但请求体是空的',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: '请求体请用 JSON，并带上 content-type: application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_CONTENT_LENGTH', message: 'content-length 与实际请求体长度不符' },
};

/** A strict object reports each field it does not know as an issue expecting `never` at that key. */
const isUnknownField = (issue: v.GenericIssue) => issue.expected === 'never' && issue.path?.at(-1)?.origin === 'key';

function describeBodyIssues(error: v.ValiError<v.GenericSchema>): string {
  const unknown = error.issues.filter(isUnknownField).map((issue) => v.getDotPath(issue));
  const parts = unknown.length > 0 ? [`不认识的字段 ${unknown.join(', ')}`] : [];
  for (const issue of error.issues) {
    if (!isUnknownField(issue)) parts.push(`${v.getDotPath(issue) ?? '请求体'}: ${issue.message}`);
  }
  return `请求体不符合要求：${parts.join('；')}`;
}

export function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = error.code ? frameworkErrors[error.code] : undefined;
  if (known) return reply.code(known.status).send(apiError(known.status, known.code, known.message).body);
  if (error instanceof v.ValiError || error.code === 'FST_ERR_VALIDATION') {
    const message = error instanceof v.ValiError ? describeBodyIssues(error) : `请求不符合要求：${error.message}`;
    return reply.code(400).send(apiError(400, 'BAD_REQUEST', message).body);
  }
  if (error.statusCode === 429) {
    return reply.code(429).send(apiError(429, 'RATE_LIMITED', '请求太频繁，请稍后再试').body);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.code(status).send(apiError(status, status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', error.message).body);
  }
  // Only the log gets the details of a server fault; the client gets no internals.
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send(apiError(500, 'INTERNAL', '服务器内部错误，请稍后重试').body);
}

/** Errors fastify raises while routing, before any hook: an undecodable URL (`/api/me%zz`) or an over-long parameter. */
export function sendFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  return reply.code(400).send(apiError(400, 'BAD_URL', `请求地址无法解析（${error.code}）`).body);
}

const clientErrors: Record<string, { status: number; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', message: '请求没有在限定时间内发送完整，连接已关闭' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', message: '请求头太大' },
};
const malformed = { status: 400, code: 'MALFORMED_REQUEST', message: '不是合法的 HTTP 请求' };

/**
 * Node's HTTP parser gave up on a connection before fastify had a request
 * (fastify's own handler answers in a different JSON shape, or not at all).
 * The answer is written straight to the socket, which is then closed: after
 * a parse error nothing further on it can be trusted.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = (error.code && clientErrors[error.code]) || malformed;
  this.log.debug({ code: error.code, status }, 'client error');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(apiError(status, code, message).body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
