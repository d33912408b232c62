import { z } from 'zod';

/** The emulator calls back only into this machine (event pushes, background fetches): never a URL off loopback. */
export const loopbackUrl = (what: string) =>
  z
    .string()
    .url()
    .refine((url) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname), `${what} must be on 127.0.0.1`);
