import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatDiagnostic } from './diagnostics.js';
import { inspectConfig } from './load.js';

const SOURCE = '/repo/seal.config.yaml';

function problems(document: unknown, env: NodeJS.ProcessEnv = {}) {
  const report = inspectConfig(typeof document === 'string' ? document : stringify(document), SOURCE, env);
  return {
    report,
    errors: report.diagnostics.filter((d) => d.level === 'error').map(formatDiagnostic),
    warnings: report.diagnostics.filter((d) => d.level === 'warning').map(formatDiagnostic),
  };
}

const app = (checks: unknown[], extra: Record<string, unknown> = {}) => ({ apps: { acme: { production_url: 'https://acme.example.com', checks, ...extra } } });

// The config from ARCHITECTURE.md, verbatim: a contract outside tests rely on.
const ARCHITECTURE_EXAMPLE = `
apps:
  studio:
    production_url: https://studio.example.com   # canonical base URL for the suite (required)
    smoke_url: https://app.studio.example.com/up # optional; host differs -> \`config check\` warns
    concurrency: 8            # app defaults, each overridable per check
    timeout_ms: 10000
    retries: 0                # a check that passes on a retry is "flaky"
    rollback: "git revert -m 1 {merge_sha}"     # placeholders: {app} {version} {sha} {merge_sha} {previous_version}
    notify: [release-notes]
    checks:
      - { name: up, http: /up, expect: { status: 200, max_ms: 800 } }
      - { name: home, http: /, expect: { status: 200, body_contains: "Sign in" } }
      - { name: devops hidden, http: /devops, expect: { status: 404 } }
      - { name: health, http: /api/health, expect: { json: { "$.status": ok } } }
      - name: signed-in api
        http: { path: /api/me, headers: { Authorization: "Bearer \${SMOKE_TOKEN}" }, follow_redirects: false }
        expect: { status: 200 }
      - { name: home renders, browser: /, expect: { title: "Studio", visible: ["text=Sign in"], no_console_errors: true } }
      - { name: qa readonly, playwright: { spec: e2e/qa_readonly.spec.js, grep: "@qa-readonly" } }
      - { name: certificate, tls: {}, expect: { min_days_left: 14 } }
      - { name: worker alive, exec: { command: [kubectl, exec, deploy/web, --, curl, -fsS, localhost:3000/up] }, expect: { exit_code: 0, stdout_contains: OK } }
notifiers:
  release-notes: { type: discord, webhook_url: "\${DISCORD_WEBHOOK_URL}", thread_id: "123", mention_on_red: "<@&456>" }
`;

describe('the config contract', () => {
  it('accepts the example from ARCHITECTURE.md, warning about the smoke_url host and the spec file that is not beside it', () => {
    const { report, errors, warnings } = problems(ARCHITECTURE_EXAMPLE, { SMOKE_TOKEN: 'tok-123456', DISCORD_WEBHOOK_URL: 'http://127.0.0.1:9/hook' });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      'apps.studio.smoke_url: host app.studio.example.com differs from production_url\'s studio.example.com: the suite checks production_url, so make sure both serve the same release',
      'apps.studio.checks[6].playwright.spec: file not found: /repo/e2e/qa_readonly.spec.js',
    ]);
    const studio = report.config?.apps.studio;
    expect(studio?.checks.map((c) => c.kind)).toEqual(['http', 'http', 'http', 'http', 'http', 'browser', 'playwright', 'tls', 'exec']);
    expect(report.config?.secrets).toEqual(expect.arrayContaining(['tok-123456', 'http://127.0.0.1:9/hook']));
  });

  it('names a missing environment variable with the path that uses it', () => {
    const { errors } = problems(ARCHITECTURE_EXAMPLE, { DISCORD_WEBHOOK_URL: 'http://127.0.0.1:9/hook' });
    expect(errors).toEqual(['apps.studio.checks[4].http.headers.Authorization: environment variable SMOKE_TOKEN is not set']);
  });
});

describe('interpolation', () => {
  it('keeps $${VAR} literal and substitutes ${VAR} inside longer strings', () => {
    const { report } = problems(app([{ name: 'a', http: { path: '/x?q=$${HOME}', headers: { 'X-Team': 'team-${TEAM}' } } }]), { TEAM: 'blue' });
    const check = report.config?.apps.acme?.checks[0];
    expect(check?.kind === 'http' && check.url).toBe('https://acme.example.com/x?q=${HOME}');
    expect(check?.kind === 'http' && check.headers['X-Team']).toBe('team-blue');
  });

  it('treats a variable used only in production_url as an address, not a secret', () => {
    const { report } = problems({ apps: { acme: { production_url: '${PROD}', checks: [{ name: 'a', http: { path: '/', headers: { Authorization: 'Bearer ${TOKEN}' } } }] } } }, { PROD: 'https://acme.example.com', TOKEN: 'abcdef123' });
    expect(report.config?.secrets).toEqual(['abcdef123']);
  });

  it('never quotes a ${VAR} value in a diagnostic', () => {
    const { errors } = problems(app([{ name: 'a', http: { path: '/', headers: 'X-Api-Key: ${API_KEY}' } }]), { API_KEY: 'ak_live_SUPERSECRET123' });
    expect(errors).toEqual(['apps.acme.checks[0].http.headers: expected a map, got string "X-Api-Key: [REDACTED]"']);
  });

  it('warns that a secret shorter than 4 characters cannot be redacted', () => {
    const { warnings } = problems(app([{ name: 'a', http: { path: '/', headers: { 'X-Key': '${K}' } } }]), { K: 'ab' });
    expect(warnings).toEqual(['apps.acme.checks[0].http.headers.X-Key: the value of K is shorter than 4 characters and cannot be redacted from output']);
  });
});

describe('every config error is reported with its path, all at once', () => {
  const cases: [string, unknown, string][] = [
    ['status of the wrong type', app([{ name: 'a', http: '/', expect: { status: 'ok' } }]), 'apps.acme.checks[0].expect.status: expected a number or a list of numbers'],
    ['status list with a string', app([{ name: 'a', http: '/', expect: { status: [200, 'x'] } }]), 'apps.acme.checks[0].expect.status[1]: expected a number, got string "x"'],
    ['status out of range', app([{ name: 'a', http: '/', expect: { status: 42 } }]), 'apps.acme.checks[0].expect.status: expected an HTTP status (100-599)'],
    ['missing production_url', { apps: { acme: { checks: [] } } }, 'apps.acme.production_url: required (expected a URL)'],
    ['relative production_url', { apps: { acme: { production_url: 'acme.example.com' } } }, 'apps.acme.production_url: expected an absolute http(s) URL, got "acme.example.com"'],
    ['a write method', app([{ name: 'a', http: { path: '/x', method: 'POST' } }]), 'apps.acme.checks[0].http.method: method POST is refused: the smoke suite is read-only (only GET, HEAD, OPTIONS may be sent to production)'],
    ['a lower-case write method', app([{ name: 'a', http: { path: '/x', method: 'delete' } }]), 'apps.acme.checks[0].http.method: method delete is refused: the smoke suite is read-only (only GET, HEAD, OPTIONS may be sent to production)'],
    ['a typo in an expect key', app([{ name: 'a', http: '/', expect: { statuss: 200 } }]), 'apps.acme.checks[0].expect.statuss: unknown key (did you mean "status"?)'],
    ['an unknown app key', app([], { timeout: 5 }), 'apps.acme.timeout: unknown key'],
    ['duplicate check names', app([{ name: 'a', http: '/' }, { name: 'a', http: '/b' }]), 'apps.acme.checks[1].name: duplicate check name "a" (also checks[0])'],
    ['a check without a kind', app([{ name: 'a' }]), 'apps.acme.checks[0]: a check needs one of http, tls, browser, playwright, exec'],
    ['a check with two kinds', app([{ name: 'a', http: '/', tls: {} }]), 'apps.acme.checks[0]: a check has exactly one kind, this one has http and tls'],
    ['an expect key for another kind', app([{ name: 'a', http: '/', expect: { title: 'x' } }]), 'apps.acme.checks[0].expect.title: not valid for an http check (use status, max_ms, body_contains, body_not_contains, body_matches, json, headers)'],
    ['a check without a name', app([{ http: '/' }]), 'apps.acme.checks[0].name: required (expected a name)'],
    ['an empty name', app([{ name: '', http: '/' }]), 'apps.acme.checks[0].name: a check needs a non-empty name'],
    ['an unknown notifier', app([], { notify: ['nope'] }), 'apps.acme.notify[0]: unknown notifier "nope" (define it under notifiers:)'],
    ['an unknown rollback placeholder', app([], { rollback: 'deploy {release}' }), 'apps.acme.rollback: unknown placeholder {release} (use {app} {version} {sha} {merge_sha} {previous_version})'],
    ['a check on a foreign host', app([{ name: 'a', http: 'https://evil.example.net/x' }]), 'apps.acme.checks[0].http: host evil.example.net is not the app\'s own; add it to allow_hosts to check it'],
    ['a tls check on an http app', { apps: { acme: { production_url: 'http://acme.example.com', checks: [{ name: 't', tls: {} }] } } }, 'apps.acme.checks[0].tls: production_url is not https: give tls.host (and tls.port) to check a certificate'],
    ['an invalid regex', app([{ name: 'a', http: '/', expect: { body_matches: '/(/' } }]), 'apps.acme.checks[0].expect.body_matches: invalid regular expression "/(/"'],
    ['a JSONPath without $', app([{ name: 'a', http: '/', expect: { json: { status: 'ok' } } }]), 'apps.acme.checks[0].expect.json.status: expected a JSONPath starting with "$"'],
    ['a negative timeout', app([{ name: 'a', http: '/', timeout_ms: -5 }]), 'apps.acme.checks[0].timeout_ms: expected a number above 0'],
    ['zero concurrency', app([], { concurrency: 0 }), 'apps.acme.concurrency: expected a number above 0'],
    ['fractional retries', app([], { retries: 1.5 }), 'apps.acme.retries: expected a whole number, got number 1.5'],
    ['a bad app name', { apps: { 'bad name!': { production_url: 'https://a.example.com' } } }, 'apps["bad name!"]: app names use letters, digits, ".", "_" and "-" (at most 63)'],
    ['apps as a list', { apps: ['a'] }, 'apps: expected a map of app name to app, got a list'],
    ['no apps at all', {}, 'apps: required (expected a map of app name to app)'],
    ['checks as a map', app({ a: 1 } as unknown as unknown[]), 'apps.acme.checks: expected a list of checks, got a map'],
    ['a header value that is not a string', app([{ name: 'a', http: { path: '/', headers: { 'X-N': 5 } } }]), 'apps.acme.checks[0].http.headers.X-N: expected a string, got number 5'],
    ['follow_redirects not a boolean', app([{ name: 'a', http: { path: '/', follow_redirects: 'yes' } }]), 'apps.acme.checks[0].http.follow_redirects: expected true or false, got string "yes"'],
  ];
  it.each(cases)('%s', (_name, document, expected) => {
    expect(problems(document).errors).toContain(expected);
  });

  it('reports several problems in one pass, not only the first', () => {
    const { errors } = problems(app([
      { name: 'a', http: { path: '/', method: 'PUT' }, expect: { status: 'x' } },
      { name: 'b', http: '/', timeout_ms: 'slow' },
    ], { concurrency: 0 }));
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });

  it('reports lint errors from every app together', () => {
    const { errors } = problems({ apps: { one: { production_url: 'https://one.example.com', notify: ['x'] }, two: { production_url: 'https://two.example.com', rollback: '{nope}' } } });
    expect(errors).toEqual(['apps.one.notify[0]: unknown notifier "x" (define it under notifiers:)', 'apps.two.rollback: unknown placeholder {nope} (use {app} {version} {sha} {merge_sha} {previous_version})']);
  });

  it('checks each notifier by its type, every problem with its path, never repeating a webhook URL', () => {
    const { errors } = problems({
      apps: { one: { production_url: 'https://one.example.com', notify: ['d'], alert: ['nope'] } },
      notifiers: {
        d: { type: 'discord', webhook_url: 'https://bob:S3cret@discord.example.com/api/webhooks/1/x', mention_on_red: '@everyone' },
        s: { type: 'slack' },
        w: { type: 'webhook', url: 'https://hooks.example.com', secret: 'short' },
        t: { type: 'teams' },
      },
    });
    expect(errors).toEqual([
      'notifiers.d.webhook_url: expected the Discord webhook as an absolute http(s) URL without user:password@ (use headers: for credentials)',
      'notifiers.d.mention_on_red: expected role or user mentions such as "<@&456>" or "<@123>" (never @everyone or @here)',
      'notifiers.s.webhook_url: required (expected the Slack webhook URL)',
      'notifiers.w.secret: the signing secret needs at least 16 characters',
      'notifiers.t.type: expected a notifier with type: discord, slack, webhook',
    ]);
    expect(errors.join('\n')).not.toContain('S3cret');
    const alert = problems({ apps: { one: { production_url: 'https://one.example.com', alert: ['nope'] } } });
    expect(alert.errors).toEqual(['apps.one.alert[0]: unknown notifier "nope" (define it under notifiers:)']);
  });

  it('reports a YAML syntax error with its line', () => {
    expect(problems('apps:\n  acme: {\n').errors[0]).toMatch(/^YAML: .*\(line \d+, column \d+\)$/);
  });

  it('reports a duplicate YAML key', () => {
    expect(problems('apps:\n  acme: { production_url: "https://a.example.com" }\n  acme: { production_url: "https://b.example.com" }\n').errors[0]).toMatch(/^YAML: Map keys must be unique/);
  });

  it('reports an unreadable ca_file', () => {
    expect(problems(app([], { ca_file: 'missing-ca.pem' })).errors[0]).toMatch(/^apps\.acme\.ca_file: cannot read missing-ca\.pem: ENOENT/);
  });
});

describe('warnings do not invalidate the config', () => {
  it('warns about a credential written literally in the file', () => {
    const { report, warnings } = problems(app([{ name: 'a', http: { path: '/', headers: { Authorization: 'Bearer literal-token' } } }]));
    expect(report.config).not.toBeNull();
    expect(warnings).toEqual(['apps.acme.checks[0].http.headers.Authorization: a credential written in the config file; use ${VAR} so it stays out of the repository']);
  });

  it('does not call an unset ${VAR} a credential written in the file: the one problem is the unset variable', () => {
    const { errors, warnings } = problems(app([{ name: 'a', http: { path: '/', headers: { Authorization: 'Bearer ${NOT_SET_TOKEN}' } } }]));
    expect(warnings).toEqual([]);
    expect(errors).toEqual(['apps.acme.checks[0].http.headers.Authorization: environment variable NOT_SET_TOKEN is not set']);
  });
});

describe('defaults and overrides', () => {
  it('lets a check override the app defaults and fills in the rest', () => {
    const { report } = problems(app([{ name: 'a', http: '/', timeout_ms: 50, retries: 2 }, { name: 'b', http: { path: '/b', method: 'head' } }], { timeout_ms: 3000, concurrency: 4 }));
    const [a, b] = report.config?.apps.acme?.checks ?? [];
    expect(a).toMatchObject({ timeoutMs: 50, retries: 2, concurrency: 4, retryDelayMs: 250 });
    expect(b).toMatchObject({ timeoutMs: 3000, retries: 0, method: 'HEAD', followRedirects: false, maxBodyBytes: 1048576 });
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(report.config?.apps.acme?.checks)).toBe(true);
  });

  it('gives an app without checks one that can fail: its health URL must answer 200', () => {
    const { report } = problems({ apps: { acme: { production_url: 'https://acme.example.com', smoke_url: 'https://acme.example.com/healthz' } } });
    expect(report.config?.apps.acme?.checks).toEqual([expect.objectContaining({ name: 'up', kind: 'http', url: 'https://acme.example.com/healthz', expect: { status: 200 } })]);
  });

  it.each([
    ['https://acme.example.com', '/up', 'https://acme.example.com/up'],
    ['https://acme.example.com/', 'up', 'https://acme.example.com/up'],
    ['https://acme.example.com/studio', '/up', 'https://acme.example.com/studio/up'],
    ['https://acme.example.com/studio/', '/api/health?full=1', 'https://acme.example.com/studio/api/health?full=1'],
    ['https://acme.example.com/studio', 'https://acme.example.com/other', 'https://acme.example.com/other'],
  ])('resolves a check path against a base URL with a path prefix: %s + %s', (base, path, expected) => {
    const { report } = problems({ apps: { acme: { production_url: base, checks: [{ name: 'a', http: path }] } } });
    const check = report.config?.apps.acme?.checks[0];
    expect(check?.kind === 'http' && check.url).toBe(expected);
  });

  it('accepts an IPv6 host in allow_hosts with or without brackets', () => {
    for (const host of ['::1', '[::1]:8080', '[::1]']) {
      expect(problems(app([{ name: 'a', http: 'http://[::1]:8080/x' }], { allow_hosts: [host] })).errors).toEqual([]);
    }
  });

  it('lists production\'s host names without ports or brackets', () => {
    const { report } = problems({ apps: { acme: { production_url: 'https://acme.example.com:8443', smoke_url: 'https://[::1]:9000/up', allow_hosts: ['auth.example.com:443', '::1', '10.0.0.1'] } } });
    expect(report.config?.apps.acme?.hostnames).toEqual(['acme.example.com', '::1', 'auth.example.com', '10.0.0.1']);
  });

  it('fills tls defaults from an https production_url with a port', () => {
    const { report } = problems({ apps: { acme: { production_url: 'https://localhost:8443', checks: [{ name: 't', tls: {} }] } } });
    expect(report.config?.apps.acme?.checks[0]).toMatchObject({ kind: 'tls', host: 'localhost', port: 8443, servername: 'localhost', expect: { min_days_left: 14, trusted: true } });
  });
});
