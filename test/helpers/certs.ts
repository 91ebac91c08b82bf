/** Self-signed certificates made with the machine's openssl, for real TLS handshakes on loopback. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and certificate in PEM, and the certificate's path (usable as ca_file). */
export interface TestCert {
  readonly key: string;
  readonly cert: string;
  readonly certPath: string;
}

/** Makes a self-signed certificate (by default for `localhost`, 127.0.0.1 and ::1), valid for `days` days. */
export function makeCert(days: number, commonName = 'localhost', altNames = 'DNS:localhost,IP:127.0.0.1,IP:::1'): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'seal-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', String(days),
    '-subj', `/CN=${commonName}/O=Seal Test CA`, '-addext', `subjectAltName=${altNames}`,
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}
