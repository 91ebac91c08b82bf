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
  /** Every form of the secret values it looks for, longest first (masked byte for byte in binary evidence). */
  readonly forms: readonly string[];
}

/** Shell metacharacters and blanks: a secret pasted into a `sh -c` script is split at these. */
const SHELL_SPLIT = /[\s&;|<>()$`'"\\]+/;

/** Below this many characters a piece of a secret is too common to scrub (as for whole secrets). */
const MIN_PIECE = 4;

/** Below this many characters a base64 fragment could match unrelated base64 data too easily. */
const MIN_BASE64_CORE = 8;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What a secret looks like in base64 wherever it sits inside a longer encoded text: for each of
 * the three byte alignments, the characters that depend on the secret's bytes alone. The few
 * characters at either end that mix in neighbouring bytes stay (they hold under 6 bits of it).
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [Buffer.from(bytes).toString('base64'), Buffer.from(bytes).toString('base64url')];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (core.length >= MIN_BASE64_CORE) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/**
 * The forms a secret value takes in what production sends back or a shell prints: itself in any
 * letter case, percent-encoded (either hex case; `+` or `%20` for spaces), base64 and base64url
 * (at any alignment), and, split at shell metacharacters, each piece of 4 or more characters.
 */
function secretForms(secrets: readonly string[]): { caseless: Set<string>; exact: Set<string> } {
  const caseless = new Set<string>();
  const exact = new Set<string>();
  for (const secret of secrets) {
    caseless.add(secret);
    caseless.add(encodeURIComponent(secret));
    caseless.add(new URLSearchParams({ s: secret }).toString().slice(2));
    for (const piece of secret.split(SHELL_SPLIT)) if (piece.length >= MIN_PIECE && piece !== secret) caseless.add(piece);
    for (const core of base64Cores(secret)) exact.add(core);
  }
  return { caseless, exact };
}

/** Longest first: an alternation takes the first that matches, and a longer form holds shorter ones. */
function alternation(forms: Set<string>, flags: string): RegExp | null {
  return forms.size === 0 ? null : new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), flags);
}

/** Creates a redactor for the given secret values (longest first, so overlaps redact fully). */
export function createRedactor(secrets: readonly string[]): Redactor {
  const known = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const forms = secretForms(known);
  const patterns = { caseless: alternation(forms.caseless, 'gi'), exact: alternation(forms.exact, 'g') };

  function text(value: string): string {
    let out = value;
    if (patterns.caseless) out = out.replace(patterns.caseless, REDACTED);
    if (patterns.exact) out = out.replace(patterns.exact, REDACTED);
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

  return { text, deep, forms: [...forms.caseless, ...forms.exact].sort((a, b) => b.length - a.length) };
}
