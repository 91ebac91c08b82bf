/**
 * Scrubs secrets from anything that will be printed or stored: known secret values (from
 * `${VAR}`), credential headers, tokens in URLs and JSON, bearer tokens. Applied once, to each
 * check result as it finishes, so no reporter can see a secret.
 */

import { boundedCopy, DATA_LIMITS } from './bounded-copy.js';

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|apikey|x-auth-token|x-csrf-token|x-xsrf-token|x-amz-security-token)$|token|secret|passw(or)?d|api[-_]?key|session[-_]?id|credential/i;
const SECRET_PARAM = 'access_token|id_token|refresh_token|token|api_key|apikey|key|secret|client_secret|password|passwd|pwd|auth|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token|code|session|sessionid|sid|jwt';
const URL_PARAM = new RegExp(`([?&;#](?:${SECRET_PARAM})=)[^&#\\s"'<>]+`, 'gi');
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@"'<>]+:)[^\s/@"'<>]+@/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{6,}/g;
const JSON_SECRET = /("(?:[\w-]*(?:token|secret|password|passwd|api_?key)[\w-]*)"\s*:\s*")((?:[^"\\]|\\.)*)"/gi;

/** True for header or field names that carry credentials (their values are never shown). */
export function isSecretName(name: string): boolean {
  return SECRET_KEY.test(name);
}

/** A redactor bound to one run's secret values. */
export interface Redactor {
  /** Redacts a string. */
  readonly text: (value: string) => string;
  /**
   * Redacts every string in a plain-data value, and values under secret-looking keys (credential
   * headers); the copy is bounded in depth and size (bounded-copy.ts), with markers for what was cut.
   */
  readonly deep: <T>(value: T) => T;
}

/** Creates a redactor for the given secret values (longest first, so overlaps redact fully). */
export function createRedactor(secrets: readonly string[]): Redactor {
  const known = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);

  function text(value: string): string {
    let out = value;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out
      .replace(URL_USERINFO, `$1${REDACTED}@`)
      .replace(URL_PARAM, `$1${REDACTED}`)
      .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
      .replace(JSON_SECRET, `$1${REDACTED}"`);
  }

  // A bounded copy, made without recursion: what it walks may be production's data.
  const rules = { text, replaceUnder: (key: string) => (SECRET_KEY.test(key) ? REDACTED : undefined) };
  function deep<T>(value: T): T {
    return boundedCopy(value, DATA_LIMITS, rules);
  }

  return { text, deep };
}
