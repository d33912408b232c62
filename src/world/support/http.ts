/**
 * The HTTP shapes shared by the simulated network, the developer server core
 * and the companion server: plain data, so the same handlers run behind a
 * simulated wx.request and behind fastify.
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/api/login`. */
  path: string;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

export interface HttpResponse<T = unknown> {
  status: number;
  body: T;
}

/** The error envelope every developer-server route uses: `{ "error": { "code", "message" } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

export function apiError(status: number, code: string, message: string): HttpResponse<ApiErrorBody> {
  return { status, body: { error: { code, message } } };
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;
