/** @jsxImportSource hono/jsx */
/** The login form of a board that needs a token to read (a non-loopback server without --public). */
import { Page } from './layout.js';

/** The form; `problem` says why the last attempt was refused. `csrf` is the value its cookie holds too. */
export function LoginPage({ next, problem, csrf }: { next: string; problem: string | null; csrf: string }) {
  return (
    <Page title="Sign in">
      <h1>Sign in to the board</h1>
      <p>This board is not public. Paste a read token made with <code>seal token create --name NAME --scope read</code>.</p>
      {problem ? <p class="notice error">{problem}</p> : null}
      <form method="post" action="/login" class="login">
        <input type="hidden" name="next" value={next} />
        <input type="hidden" name="csrf" value={csrf} />
        <label>
          Token <input type="password" name="token" autocomplete="off" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </Page>
  );
}
