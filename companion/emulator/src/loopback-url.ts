import { z } from 'zod';

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** The host of an http(s) URL on this machine, or null for anything else (including text that is no URL at all). */
function loopbackHost(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // zod's own url() check reports it too; a refinement must answer, not throw, or the request becomes a 500.
    return null;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && LOOPBACK_HOSTS.includes(parsed.hostname) ? parsed.hostname : null;
}

/** The emulator calls back only into this machine (event pushes, background fetches): never a URL off loopback. */
export const loopbackUrl = (what: string) =>
  z
    .string()
    .url()
    .refine((url) => loopbackHost(url) !== null, `${what} must be an http(s) URL on 127.0.0.1, localhost or [::1]`);
