import { createHash } from 'node:crypto';

/** The simulated identity provider's name in the pool (the `identity_provider` parameter). */
export const LOCAL_PROVIDER = 'LocalProvider';
/** The `identity_provider` value that names the pool's own sign-in (email and password). */
export const COGNITO_PROVIDER = 'COGNITO';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}' +
  '.notice{border:2px solid #a15c00;background:#fff4e0;padding:.5rem 1rem}' +
  '.error{color:#a00000;font-weight:bold}form{border:1px solid #888;padding:1rem;margin:1rem 0}' +
  'label{display:block;margin:.5rem 0}input{display:block;width:100%;padding:.25rem}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/**
 * The pages' Content-Security-Policy: nothing but the one inline style, no script, no framing.
 * No `form-action`: browsers check it along the whole chain of redirects a form starts, and a
 * sign-in's chain ends wherever the client's callback sends the browser (its `returnTo`), which
 * this server cannot know.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `style-src 'sha256-${STYLE_HASH}'`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const NOTICE =
  '<p class="notice" role="note"><strong>Local stand-in for the pool’s managed login — development only, ' +
  'not Amazon Cognito.</strong> It runs with the embedded Cognito emulator; a real user pool signs ' +
  'people in on its own domain.</p>';

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${NOTICE}
${body}
</main>
</body>
</html>
`;
}

function errorLine(error: string | undefined): string {
  return error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
}

/** What the sign-in page offers: the simulated provider, the pool's own sign-in, or both. */
export interface SignInPage {
  requestId: string;
  provider: boolean;
  password: boolean;
  /** Shown above the forms (a refused sign-in). */
  error?: string;
  /** The email to fill in again after a refused password. */
  email?: string;
}

export function signInPage({ requestId, provider, password, error, email }: SignInPage): string {
  const id = `<input type="hidden" name="request" value="${escapeHtml(requestId)}">`;
  const forms: string[] = [];
  if (provider) {
    forms.push(`<form method="post" action="/login/provider">
<h2>Sign in with ${LOCAL_PROVIDER} (simulated)</h2>
<p>A simulated social provider: it signs you in as whichever email you type, with no password. The same email is always the same provider account.</p>
${id}
<label for="provider-email">Email to sign in as</label>
<input id="provider-email" name="email" type="email" autocomplete="email" required maxlength="254">
<button type="submit">Sign in with ${LOCAL_PROVIDER}</button>
</form>`);
  }
  if (password) {
    forms.push(`<form method="post" action="/login/password">
<h2>Sign in with your email and password</h2>
${id}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escapeHtml(email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`);
  }
  return page('Sign in', `${errorLine(error)}\n${forms.join('\n')}`);
}

const CODE_LABEL: Readonly<Record<string, string>> = {
  SOFTWARE_TOKEN_MFA: 'Code from your authenticator app',
  EMAIL_OTP: 'Code sent to your email',
  SMS_MFA: 'Code sent to your phone',
};

export function codePage(requestId: string, step: string, error?: string): string {
  return page(
    'Enter your sign-in code',
    `${errorLine(error)}
<form method="post" action="/login/code">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<label for="code">${escapeHtml(CODE_LABEL[step] ?? 'Code')}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="16">
<button type="submit">Continue</button>
</form>`,
  );
}

/** A request that cannot go back to the client (unknown client, bad redirect URI, expired page). */
export function errorPage(message: string): string {
  return page('Sign-in error', `<p class="error" role="alert">${escapeHtml(message)}</p>`);
}
