/** A UTF-16 surrogate without its other half (with the u flag, a whole pair is one code point). */
const LONE_SURROGATE = /\p{Surrogate}/gu;

/**
 * Text as both stores keep it. UTF-8 cannot carry a lone UTF-16 surrogate (text cut inside a pair, or a
 * client's "\ud800" escape), so each becomes U+FFFD, as any UTF-8 encoding turns it: mysql2 writing a
 * column, ioredis writing an argument, and the Redis store's documents (scriptJson).
 */
export function asStoredText(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}
