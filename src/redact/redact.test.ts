import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from './redact.js';

describe('the redactor', () => {
  const redactor = createRedactor(['s3cr3t-value', 'short-s3cr3t-value-longer']);

  it('replaces known secret values wherever they appear, longest first', () => {
    expect(redactor.text('a short-s3cr3t-value-longer and s3cr3t-value')).toBe(`a ${REDACTED} and ${REDACTED}`);
  });

  it('drops credential header values entirely, keeping the header visible', () => {
    expect(redactor.deep({ Authorization: 'Basic Zm9vOmJhcg==', Cookie: 'sid=1', 'set-cookie': 'a=b', 'X-Api-Key': 'k', accept: 'text/html' }))
      .toEqual({ Authorization: REDACTED, Cookie: REDACTED, 'set-cookie': REDACTED, 'X-Api-Key': REDACTED, accept: 'text/html' });
  });

  it('redacts tokens in URL queries and passwords in URL user info', () => {
    expect(redactor.text('GET https://u:pa55word@x.example.com/cb?code=abc123&state=ok&access_token=zzz#frag'))
      .toBe(`GET https://u:${REDACTED}@x.example.com/cb?code=${REDACTED}&state=ok&access_token=${REDACTED}#frag`);
  });

  it('redacts tokens in URL fragments (implicit OAuth flows put them there)', () => {
    expect(redactor.text('https://x.example.com/cb#access_token=abc.def&state=1')).toBe(`https://x.example.com/cb#access_token=${REDACTED}&state=1`);
  });

  it('redacts bearer tokens and secret-looking JSON fields in free text', () => {
    expect(redactor.text('Authorization: Bearer eyJhbGciOi.payload.sig')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactor.text('{"user":"x","api_key":"k-123","refreshToken":"r\\"q"}')).toBe(`{"user":"x","api_key":"${REDACTED}","refreshToken":"${REDACTED}"}`);
  });

  it('walks nested data: strings everywhere, and values under secret-looking keys', () => {
    const input = { evidence: { headers: { 'set-cookie': ['a=1', 'b=2'], server: 'nginx' }, body: 'x s3cr3t-value y', n: 5 }, list: ['s3cr3t-value'] };
    expect(createRedactor(['s3cr3t-value']).deep(input)).toEqual({ evidence: { headers: { 'set-cookie': REDACTED, server: 'nginx' }, body: `x ${REDACTED} y`, n: 5 }, list: [REDACTED] });
  });

  describe('a secret in other forms', () => {
    const secret = 'Tr0ub4dor&3/xyz+Q';
    const r = createRedactor([secret]);
    const forms: [string, string][] = [
      ['upper case', secret.toUpperCase()],
      ['lower case', secret.toLowerCase()],
      ['percent-encoded', encodeURIComponent(secret)],
      ['percent-encoded, lower-case hex', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
      ['form-encoded', new URLSearchParams({ q: secret }).toString().slice(2)],
      ['base64', Buffer.from(secret).toString('base64')],
      ['base64url', Buffer.from(secret).toString('base64url')],
    ];
    for (const [name, form] of forms) {
      it(`${name}: ${form}`, () => {
        const out = r.text(`location: https://x.example.com/cb?state=${form}&next=1 and ${form}`);
        expect(out).not.toContain(form);
        expect(out).toContain(REDACTED);
      });
    }

    it('inside a longer base64 text, at every alignment (a Basic credential, a JSON blob)', () => {
      for (const prefix of ['', 'u', 'us', 'user:']) {
        for (const encoding of ['base64', 'base64url'] as const) {
          const blob = Buffer.from(`${prefix}${secret}"}`).toString(encoding);
          const out = r.text(`x-echo: ${blob}`);
          // What is left of the blob cannot be decoded back to the secret.
          const left = out.slice('x-echo: '.length).split(REDACTED).join('');
          expect(Buffer.from(left, encoding).toString('latin1')).not.toContain(secret.slice(2, -2));
          expect(out).toContain(REDACTED);
        }
      }
    });

    it('split by a shell at its metacharacters: each piece of 4 or more characters', () => {
      // `sh -c "echo ${T}"` with T = "Tr0ub4dor&3/xyz+Q" runs `echo Tr0ub4dor` and then `3/xyz+Q`.
      const out = r.text('Tr0ub4dor\nsh: 1: 3/xyz+Q: not found');
      expect(out).toBe(`${REDACTED}\nsh: 1: ${REDACTED}: not found`);
    });

    it('leaves text that merely shares a few characters alone', () => {
      expect(r.text('Tr0 ub4 dor xyz')).toBe('Tr0 ub4 dor xyz');
    });
  });

  it('leaves ordinary text alone', () => {
    const text = 'status 200, expected 404; body contains "Sign in"; https://example.com/a?page=2';
    expect(redactor.text(text)).toBe(text);
  });
});
