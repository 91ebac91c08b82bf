/**
 * The guard's certificate authority: made for one run and never written outside it. With it the
 * guard answers TLS for production's names (and IP literals) as production would, so it can see
 * the method of every HTTPS request. ECDSA P-256 keys: made in about a millisecond, where RSA
 * 2048 took about a second, and accepted by every client we support (curl, wget, Python, Go,
 * Node, npm, git, Chromium). Certificates come from @peculiar/x509, loaded only by runs that
 * start a guard.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';

/** The key and certificate of a guard CA (PEM). */
export interface GuardAuthority {
  readonly cert: string;
  /** A TLS context presenting a certificate for `host` (a name or an IP literal), made once per host. */
  readonly contextFor: (host: string) => Promise<SecureContext>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** Makes a CA and the one key every host certificate of this run shares. */
export async function createGuardAuthority(now: Date = new Date()): Promise<GuardAuthority> {
  // CommonJS underneath: its exports are `default` both in the bundle and under Node's own loader.
  const { default: x509 } = await import('@peculiar/x509');
  const crypto = webcrypto;
  // Node's WebCrypto is the standard one; its TypeScript type differs from the DOM's in name only.
  x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const [caKeys, hostKeys] = await Promise.all([
    crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']),
    crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']),
  ]);
  // A day back for clocks that lag; a week ahead is far beyond any run.
  const notBefore = new Date(now.getTime() - DAY_MS);
  const notAfter = new Date(now.getTime() + 7 * DAY_MS);
  const caName = 'CN=smoke-seal read-only guard - ephemeral for one run, O=smoke-seal';
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: caName,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const hostKeyPem = pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', hostKeys.privateKey));
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey);
  const hostKeyId = await x509.SubjectKeyIdentifierExtension.create(hostKeys.publicKey);
  const contexts = new Map<string, Promise<SecureContext>>();

  async function makeContext(host: string): Promise<SecureContext> {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${host.replace(/[,+="\\<>;#]/g, '')}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: hostKeys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ECDSA,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        // An IP literal's certificate also names localhost: https-proxy-agent (npm and many Node
        // clients) checks a certificate for an IP target against "localhost" when it goes through a proxy.
        new x509.SubjectAlternativeNameExtension(isIP(host) ? [{ type: 'ip', value: host }, { type: 'dns', value: 'localhost' }] : [{ type: 'dns', value: host }]),
        authorityKeyId,
        hostKeyId,
      ],
    });
    return createSecureContext({ key: hostKeyPem, cert: cert.toString('pem') });
  }

  return {
    cert: ca.toString('pem'),
    contextFor(host: string) {
      const key = host.toLowerCase();
      let context = contexts.get(key);
      if (!context) {
        context = makeContext(key);
        contexts.set(key, context);
      }
      return context;
    },
  };
}

function serial(): string {
  // Positive, 16 random bytes: unique per certificate, as browsers expect.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

function pem(label: string, der: ArrayBuffer): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}
