/** The `tls` check: a handshake with production to read its certificate, days left and trust. */
import { connect, rootCertificates, type TLSSocket } from 'node:tls';
import type { TlsCheckSpec } from '../../config/types.js';
import type { Assertion, AttemptOutcome } from '../../runner/run-result.js';
import { makeAssertion, outcomeOf } from '../assertion.js';
import type { CheckContext } from '../types.js';
import { describeNetworkError } from '../network-error.js';
import { parseAltNames, verifyServerIdentity } from './identity.js';

const DAY_MS = 86_400_000;

/** Runs one attempt of a tls check. */
export async function runTlsCheck(spec: TlsCheckSpec, { app, signal, now }: CheckContext): Promise<AttemptOutcome> {
  const started = performance.now();
  const target = { host: spec.host, port: spec.port, servername: spec.servername };
  const identity = spec.servername ?? spec.host;
  try {
    const socket = await handshake(spec, app.ca, signal);
    const handshakeMs = Math.round(performance.now() - started);
    try {
      const cert = socket.getPeerCertificate(false);
      if (!cert || Object.keys(cert).length === 0) {
        return { outcome: 'failed', assertions: [], error: 'the server presented no certificate', evidence: { target } };
      }
      const verifyError = socket.authorized ? null : String(socket.authorizationError);
      // Node folds its own host-name check into authorizationError; identity is judged below.
      const chainError = verifyError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? null : verifyError;
      const trustError = chainError ?? verifyServerIdentity(identity, cert)?.message ?? null;
      const daysLeft = Math.floor((new Date(cert.valid_to).getTime() - now().getTime()) / DAY_MS);
      const evidence = {
        target,
        subject: cert.subject?.CN ?? null,
        names: parseAltNames(cert),
        issuer: cert.issuer?.O ?? cert.issuer?.CN ?? null,
        issuer_cn: cert.issuer?.CN ?? null,
        valid_from: new Date(cert.valid_from).toISOString(),
        valid_to: new Date(cert.valid_to).toISOString(),
        days_left: daysLeft,
        fingerprint256: cert.fingerprint256,
        serial: cert.serialNumber,
        protocol: socket.getProtocol(),
        trusted: trustError === null,
        trust_error: trustError,
        timings: { handshake_ms: handshakeMs },
      };
      const assertions = assertCertificate(spec, identity, daysLeft, trustError);
      return { outcome: outcomeOf(assertions), assertions, error: null, evidence };
    } finally {
      socket.destroy();
    }
  } catch (error) {
    return { outcome: 'failed', assertions: [], error: describeNetworkError(error), evidence: { target } };
  }
}

function assertCertificate(spec: TlsCheckSpec, identity: string, daysLeft: number, trustError: string | null): Assertion[] {
  const out: Assertion[] = [];
  const minDays = spec.expect.min_days_left;
  if (minDays !== undefined) {
    out.push(makeAssertion(`days left >= ${minDays}`, daysLeft >= minDays, minDays, daysLeft, daysLeft < 0 ? `certificate expired ${-daysLeft} days ago` : `certificate expires in ${daysLeft} days, expected at least ${minDays}`));
  }
  if (spec.expect.trusted !== false) {
    out.push(makeAssertion(`certificate trusted for ${identity}`, trustError === null, true, trustError ?? true, `certificate not trusted: ${trustError ?? ''}`));
  }
  return out;
}

function handshake(spec: TlsCheckSpec, ca: string | null, signal: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // rejectUnauthorized: false so an untrusted certificate can still be read and reported.
    const socket = connect({
      host: spec.host,
      port: spec.port,
      // SNI carries names only; an IP literal is sent without it (RFC 6066).
      ...(spec.servername ? { servername: spec.servername } : {}),
      rejectUnauthorized: false,
      ...(ca ? { ca: [...rootCertificates, ca] } : {}),
    });
    const onAbort = (): void => {
      socket.destroy();
      reject(new Error('aborted', { cause: signal.reason }));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (error: Error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}
