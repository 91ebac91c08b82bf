/** Does a certificate name the host we connected to? One answer for tls checks and https requests. */
import { BlockList, isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/**
 * tls.connect's `checkServerIdentity`, except that IP literals are compared as addresses
 * (BlockList canonicalises them): Node 22's own check rejects `::1` against a SAN written
 * `0:0:0:0:0:0:0:1`, which would be a false red. Returns an Error when the host is not named.
 */
export function verifyServerIdentity(host: string, cert: PeerCertificate): Error | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 0) return checkServerIdentity(host, cert);
  const named = new BlockList();
  for (const ip of parseAltNames(cert).filter((name) => isIP(name) !== 0)) named.addAddress(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  return named.check(bare, family === 6 ? 'ipv6' : 'ipv4') ? undefined : new Error(`the certificate does not name ${bare}`);
}

/** The subject alternative names of a certificate, without their `DNS:`/`IP Address:` tags. */
export function parseAltNames(cert: PeerCertificate): string[] {
  return (cert.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim().replace(/^(DNS|IP Address):/, ''))
    .filter((entry) => entry !== '');
}
