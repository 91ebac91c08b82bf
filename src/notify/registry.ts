/** Every notifier type, in one place: adding one is one folder and one line here. */
import type { NotifierConfig, NotifierType } from './config.js';
import { createDiscordNotifier } from './discord/send.js';
import { createSlackNotifier } from './slack/send.js';
import type { Notifier } from './types.js';
import { createWebhookNotifier } from './webhook/send.js';

type Factory<T extends NotifierType> = (config: Extract<NotifierConfig, { type: T }>) => Notifier;

/** Notifier factories by type. */
export const NOTIFIERS = {
  discord: createDiscordNotifier,
  slack: createSlackNotifier,
  webhook: (config) => createWebhookNotifier(config),
} satisfies { [T in NotifierType]: Factory<T> };

/** The notifier for a validated config. */
export function createNotifier(config: NotifierConfig): Notifier {
  switch (config.type) {
    case 'discord':
      return NOTIFIERS.discord(config);
    case 'slack':
      return NOTIFIERS.slack(config);
    case 'webhook':
      return NOTIFIERS.webhook(config);
  }
}
