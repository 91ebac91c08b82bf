/** @jsxImportSource hono/jsx */
/** The login form of a board that needs a token to read (a non-loopback server without --public). */
import { Page } from './layout.js';

/** The form; `failed` after a wrong token. */
export function LoginPage({ next, failed }: { next: string; failed: boolean }) {
  return (
    <Page title="Sign in">
      <h1>Sign in to the board</h1>
      <p>This board is not public. Paste a token made with <code>seal token create --name NAME --scope read</code>.</p>
      {failed ? <p class="notice error">That token is malformed, unknown or revoked.</p> : null}
      <form method="post" action="/login" class="login">
        <input type="hidden" name="next" value={next} />
        <label>
          Token <input type="password" name="token" autocomplete="off" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </Page>
  );
}
