/**
 * When a client refuses the guard's certificate, the probe did not fail because of production:
 * this names the client and the setting that makes it trust the guard. Pure.
 */
import { basename } from 'node:path';

/** What each client reads, and what on its command line would replace it. */
const HINTS: readonly { readonly programs: RegExp; readonly client: string; readonly setting: string }[] = [
  { programs: /^curl$/, client: 'curl', setting: 'curl reads CURL_CA_BUNDLE and a .curlrc in CURL_HOME, both set by smoke-seal; --cacert or --capath on the command line replace them: pass --cacert "$SEAL_GUARD_CA_BUNDLE"' },
  { programs: /^wget2?$/, client: 'wget', setting: 'GNU wget reads ca_certificate from WGETRC, set by smoke-seal; --ca-certificate on the command line replaces it: pass --ca-certificate="$SEAL_GUARD_CA_BUNDLE"' },
  { programs: /^(npm|npx|pnpm|yarn)$/, client: 'npm', setting: 'npm reads npm_config_cafile, set by smoke-seal (it wins over an npmrc); --cafile or --ca on the command line replace it: pass --cafile="$SEAL_GUARD_CA_BUNDLE"' },
  { programs: /^pip\d*(\.\d+)?$/, client: 'pip', setting: 'pip reads PIP_CERT, set by smoke-seal; --cert on the command line replaces it: pass --cert "$SEAL_GUARD_CA_BUNDLE"' },
  { programs: /^python\d*(\.\d+)?$/, client: 'Python', setting: 'Python reads SSL_CERT_FILE (ssl, urllib) and REQUESTS_CA_BUNDLE (requests), set by smoke-seal; a cafile=, cadata= or verify= in the code replaces them: use os.environ["SEAL_GUARD_CA_BUNDLE"]' },
  { programs: /^git$/, client: 'git', setting: 'git reads GIT_SSL_CAINFO, set by smoke-seal; -c http.sslCAInfo on the command line replaces it' },
  { programs: /^(node|nodejs|bun|deno)$/, client: 'Node', setting: 'Node reads NODE_EXTRA_CA_CERTS, set by smoke-seal; a ca option in the code replaces it: read process.env.SEAL_GUARD_CA_BUNDLE' },
  { programs: /^(java|mvn|gradle|gradlew)$/, client: 'Java', setting: 'Java reads none of these variables: import "$SEAL_GUARD_CA_BUNDLE" into a truststore (keytool -importcert) and pass -Djavax.net.ssl.trustStore' },
  { programs: /^(kubectl|helm|oc)$/, client: 'kubectl', setting: 'kubectl trusts only its kubeconfig CA; production\'s HTTPS is intercepted, so reach production from a probe with another client' },
];

/** The client of a command (the first known program in it, also inside `sh -c "…"`) and the setting to add. */
export function trustHint(command: readonly string[]): { readonly client: string; readonly setting: string } {
  const words = command.flatMap((part) => part.split(/[\s;|&()]+/)).map((word) => basename(word.replace(/^['"]|['"]$/g, '')));
  for (const word of words) {
    const hint = HINTS.find((h) => h.programs.test(word));
    if (hint) return hint;
  }
  const program = basename(command[0] ?? 'the command');
  return { client: program, setting: `SSL_CERT_FILE (OpenSSL and Go clients) and the other trust variables are set by smoke-seal; point ${program}'s own CA setting at "$SEAL_GUARD_CA_BUNDLE" (the system roots plus the guard's CA)` };
}

/** The sentence for a check whose client refused the guard's certificate. */
export function describeTlsRefusal(command: readonly string[], refusals: readonly { readonly host: string; readonly detail: string }[]): string {
  const { client, setting } = trustHint(command);
  const first = refusals[0];
  const hosts = [...new Set(refusals.map((r) => r.host))];
  return `${client} refused the read-only guard's certificate for ${hosts.join(', ')} (${first?.detail ?? 'TLS handshake failed'}): the guard, not production, made this check fail. ${setting}.`;
}
