/**
 * Action items: each needs a real owner and a due date not in the past ("without owners and
 * dates, action items become aspirations"), and should say what outcome proves it done. Pure:
 * `today` (YYYY-MM-DD) is given by the caller.
 */

/** What an action item does. */
export const ACTION_TYPES = ['prevent', 'detect', 'mitigate', 'process'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** An action item as given. */
export interface ActionInput {
  readonly title: string;
  readonly owner: string;
  readonly due: string;
  readonly type?: string;
}

/** Owners that are nobody in particular. */
const NOBODY = new Set(['tbd', 'tba', 'tbc', 'someone', 'somebody', 'team', 'the team', 'everyone', 'anyone', 'all', 'n/a', 'na', 'none', 'nobody', 'unknown', '?', '-', 'owner']);

/** Why the action item cannot be saved (empty when it can). */
export function actionErrors(action: ActionInput, today: string): string[] {
  const errors: string[] = [];
  if (!action.title.trim()) errors.push('--title: an action item needs a title');
  const owner = action.owner.trim();
  if (owner.length < 2 || NOBODY.has(owner.toLowerCase())) errors.push(`--owner: ${JSON.stringify(action.owner)} is nobody in particular; name the person who will do it`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(action.due) || Number.isNaN(Date.parse(`${action.due}T00:00:00Z`)) || new Date(`${action.due}T00:00:00Z`).toISOString().slice(0, 10) !== action.due) {
    errors.push(`--due: ${JSON.stringify(action.due)} is not a date (YYYY-MM-DD)`);
  } else if (action.due < today) {
    errors.push(`--due: ${action.due} is in the past (today is ${today})`);
  }
  if (action.type !== undefined && !(ACTION_TYPES as readonly string[]).includes(action.type)) errors.push(`--type: ${JSON.stringify(action.type)} is not one of ${ACTION_TYPES.join(', ')}`);
  return errors;
}

const VAGUE = /\b(?:improve|better|more careful|be careful|look into|investigate|consider|revisit|review|think about|try to|raise awareness|remind)\b/i;
const MEASURABLE = /\d|\b(?:alert|alarm|check|test|smoke|scenario|gate|block|fail|reject|require|runbook|dashboard|slo|page|automate|add|remove|limit|rollback|canary)\w*/i;

/** A warning when the action says what to try but not what outcome proves it done, else null. */
export function vagueAction(title: string): string | null {
  if (!VAGUE.test(title) || MEASURABLE.test(title)) return null;
  return `"${title}" has no measurable outcome: say what will exist or be true when it is done (a check, an alert, a limit, a number)`;
}
