import type { TokenFetchResult } from '../../src/world/developer/access-token.ts';

/**
 * A stand-in for WeChat's stable_token that counts its calls and answers after a delay, so callers really
 * overlap. `answer(n)` may script the n-th reply; otherwise the n-th call gets token `T<n>` for 7200 s.
 * Instances sharing one upstream share its count: what they have in common is WeChat.
 */
export function countingUpstream(delayMs: number, answer?: (n: number) => TokenFetchResult | undefined) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetchToken: async (): Promise<TokenFetchResult> => {
      calls += 1;
      const n = calls;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return answer?.(n) ?? { access_token: `T${n}`, expires_in: 7200 };
    },
  };
}
