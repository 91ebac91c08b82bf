/**
 * The `notifiers:` section: one schema per notifier type, checked with the rest of the config
 * (errors name their path), and the resolved form the notifiers receive.
 */
import { z } from 'zod';

const positiveInt = z.number({ error: 'expected a number' }).int('expected a whole number').positive('expected a number above 0');
const url = (what: string) =>
  z.string({ error: `expected the ${what} URL` }).refine(
    (value) => {
      try {
        const parsed = new URL(value);
        // Credentials in the URL would end up in error messages; fetch refuses them anyway.
        return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.username && !parsed.password;
      } catch {
        return false;
      }
    },
    // The URL holds the webhook's secret: the message never repeats it.
    { error: `expected the ${what} as an absolute http(s) URL without user:password@ (use headers: for credentials)` },
  );
const timeout = positiveInt.max(120_000, 'at most 120000 (2 minutes)').optional().describe('Total time this delivery may take, retries included (default 10000).');

/** A Discord channel webhook; posts go to a thread (`thread_id`) or start a forum post (`thread_name`). */
export const discordSchema = z.strictObject({
  type: z.literal('discord'),
  webhook_url: url('Discord webhook').describe('https://discord.com/api/webhooks/<id>/<token> (use ${VAR}).'),
  thread_id: z.string().regex(/^\d{1,25}$/, 'expected the thread id (digits)').optional().describe('The release-notes thread to post in.'),
  thread_name: z.string().min(1).max(100, 'at most 100 characters').optional().describe('For a forum channel: the post to create (the first seal creates it).'),
  mention_on_red: z
    .string()
    .regex(/^(<@&?\d{1,25}>)( <@&?\d{1,25}>)*$/, 'expected role or user mentions such as "<@&456>" or "<@123>" (never @everyone or @here)')
    .optional()
    .describe('Who is pinged when a seal is red; nobody else can ever be.'),
  username: z.string().min(1).max(80).optional(),
  timeout_ms: timeout,
});

/** A Slack incoming webhook. */
export const slackSchema = z.strictObject({
  type: z.literal('slack'),
  webhook_url: url('Slack webhook').describe('https://hooks.slack.com/services/… (use ${VAR}).'),
  mention_on_red: z
    .string()
    .regex(/^(<@[UW][A-Z0-9]{2,20}>|<!subteam\^[A-Z0-9]{2,20}>)( (<@[UW][A-Z0-9]{2,20}>|<!subteam\^[A-Z0-9]{2,20}>))*$/, 'expected user or group mentions such as "<@U024BE7LH>" or "<!subteam^SAZ94GDB8>"')
    .optional(),
  timeout_ms: timeout,
});

/** A JSON POST of the run result, signed with HMAC-SHA256. */
export const webhookSchema = z.strictObject({
  type: z.literal('webhook'),
  url: url('webhook'),
  secret: z.string({ error: 'expected the signing secret' }).min(16, 'the signing secret needs at least 16 characters').describe('HMAC-SHA256 key for X-Seal-Signature (use ${VAR}).'),
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: timeout,
});

/** Notifier types, named by `type:`. */
export const NOTIFIER_TYPES = ['discord', 'slack', 'webhook'] as const;
/** A notifier type. */
export type NotifierType = (typeof NOTIFIER_TYPES)[number];

export const notifierSchema = z.discriminatedUnion('type', [discordSchema, slackSchema, webhookSchema], {
  error: (issue) => (issue.code === 'invalid_union' || issue.code === 'invalid_type' ? `expected a notifier with type: ${NOTIFIER_TYPES.join(', ')}` : undefined),
});

/** One notifier's config as written (and validated). */
export type NotifierConfig = z.infer<typeof notifierSchema>;
export type DiscordConfig = z.infer<typeof discordSchema>;
export type SlackConfig = z.infer<typeof slackSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;

/** GitHub Releases sync for an app: the release body gets the seal block too. */
export const githubSchema = z.strictObject({
  repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected "owner/name"'),
  token: z.string({ error: 'expected a token (use ${GITHUB_TOKEN})' }).min(1),
  api_url: url('GitHub API').optional().describe('Default https://api.github.com (GitHub Enterprise: https://host/api/v3).'),
  release_notes: z.boolean({ error: 'expected true or false' }).optional().describe('Put the seal block in the body of the GitHub release tagged with the version (default true).'),
  commit_status: z.boolean({ error: 'expected true or false' }).optional().describe('Set the commit status smoke-seal/<app> on the release\'s sha: success, failure or error, linking to the release page (default false; the token needs "Commit statuses: write").'),
  timeout_ms: timeout,
});
export type GithubConfig = z.infer<typeof githubSchema>;

/** Default total time of one delivery. */
export const DEFAULT_DELIVERY_MS = 10_000;
