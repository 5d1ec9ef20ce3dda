/**
 * The reference page's script: every flow a frontend needs, through the typed client, with a
 * cookie session (the API sets httpOnly cookies at sign-in; the client sends the CSRF header on
 * unsafe requests by itself). Read it as an example: each handler is one call or two.
 */
import {
  createAuthClient,
  isChallenge,
  type ApiError,
  type Challenge,
  type SignInResult,
} from '../typescript/src';

// The page is served by the API itself: same origin, so baseUrl is empty.
const api = createAuthClient({ baseUrl: '' });

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}`);
  return found as T;
}

const input = (id: string): HTMLInputElement => element<HTMLInputElement>(id);
const show = (id: string, visible = true): void => {
  element(id).hidden = !visible;
};

/** Shows the API's error (its `message`, with its stable `error` code) where everyone sees it. */
function showError(error: ApiError | string | undefined): void {
  const box = element('error');
  if (!error) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.textContent = typeof error === 'string' ? error : `${error.message} (${error.error})`;
  box.hidden = false;
}

function say(message: string): void {
  element('status').textContent = message;
}

/** Runs a form's handler on submit, with its errors shown and the button kept from repeats. */
function onSubmit(id: string, handler: () => Promise<void>): void {
  const form = element<HTMLFormElement>(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(handler);
  });
}

function onClick(id: string, handler: () => Promise<void>): void {
  element(id).addEventListener('click', () => void run(handler));
}

async function run(handler: () => Promise<void>): Promise<void> {
  showError(undefined);
  try {
    await handler();
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
  }
}

// ---- Signed out: sign-up, confirmation, sign-in and its steps ----------------------------------

let pendingStep: { email: string; challenge: Challenge } | undefined;

onSubmit('sign-up-form', async () => {
  const email = input('sign-up-email').value;
  const { data, error } = await api.POST('/auth/sign-up', {
    body: { email, password: input('sign-up-password').value },
  });
  if (error) return showError(error);
  input('confirm-email').value = email;
  say(
    data.userConfirmed
      ? 'The account is ready: sign in.'
      : `A confirmation code was sent to ${data.codeDelivery?.destination ?? email}.`,
  );
  input('confirm-code').focus();
});

onSubmit('confirm-form', async () => {
  const email = input('confirm-email').value;
  const { error } = await api.POST('/auth/confirm-sign-up', {
    body: { email, code: input('confirm-code').value },
  });
  if (error) return showError(error);
  input('login-email').value = email;
  say('Confirmed: sign in.');
  input('login-password').focus();
});

onClick('resend-code', async () => {
  const { error } = await api.POST('/auth/resend-confirmation-code', {
    body: { email: input('confirm-email').value },
  });
  if (error) return showError(error);
  say('If the account waits for a code, a new one was sent.');
});

onSubmit('login-form', async () => {
  const email = input('login-email').value;
  const { data, error } = await api.POST('/auth/login', {
    body: { email, password: input('login-password').value },
  });
  if (error) return showError(error);
  input('login-password').value = '';
  await signedInOrStep(email, data);
});

/** Tokens (their cookies are set): show the account; a step: ask for what it needs. */
async function signedInOrStep(email: string, result: SignInResult): Promise<void> {
  if (!isChallenge(result)) {
    pendingStep = undefined;
    show('step-form', false);
    show('login-form');
    return refresh();
  }
  pendingStep = { email, challenge: result };
  showStep(result);
}

const STEP_HELP: Record<Challenge['nextStep'], string> = {
  NEW_PASSWORD_REQUIRED: 'Choose a new password for this account.',
  SOFTWARE_TOKEN_MFA: 'Enter the code your authenticator app shows.',
  SMS_MFA: 'Enter the code sent by SMS.',
  EMAIL_OTP: 'Enter the code sent by email.',
  SELECT_MFA_TYPE: 'Choose how to confirm it is you.',
  MFA_SETUP: 'This account needs an authenticator app: scan the code, then enter what it shows.',
};

function showStep(challenge: Challenge): void {
  const step = challenge.nextStep;
  element('step-title').textContent = `Next step: ${step}`;
  element('step-help').textContent = STEP_HELP[step];
  show('step-new-password', step === 'NEW_PASSWORD_REQUIRED');
  show('step-code', ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP', 'MFA_SETUP'].includes(step));
  show('step-mfa-type', step === 'SELECT_MFA_TYPE');
  show('step-qr', step === 'MFA_SETUP' && Boolean(challenge.qrCode));
  if (step === 'MFA_SETUP' && challenge.qrCode) {
    element<HTMLImageElement>('step-qr-image').src = challenge.qrCode;
    element('step-secret').textContent = challenge.secretCode ?? '';
  }
  if (step === 'SELECT_MFA_TYPE') {
    const options = element('step-mfa-options');
    options.replaceChildren();
    const choices = JSON.parse(challenge.parameters.MFAS_CAN_CHOOSE ?? '[]') as string[];
    for (const [index, choice] of choices.entries()) {
      const id = `mfa-type-${index}`;
      const radio = Object.assign(document.createElement('input'), {
        type: 'radio',
        name: 'mfaType',
        id,
        value: choice,
        checked: index === 0,
      });
      const label = Object.assign(document.createElement('label'), { htmlFor: id });
      label.textContent = choice;
      options.append(radio, label);
    }
  }
  input('step-code-input').value = '';
  show('login-form', false);
  show('step-form');
  say(`Signing in: ${step}.`);
  const first = element('step-form').querySelector<HTMLInputElement>('div:not([hidden]) input');
  first?.focus();
}

onSubmit('step-form', async () => {
  if (!pendingStep) return;
  const { email, challenge } = pendingStep;
  const step = challenge.nextStep;
  const chosen = document.querySelector<HTMLInputElement>('input[name="mfaType"]:checked');
  const { data, error } = await api.POST('/auth/challenge', {
    body: {
      email,
      nextStep: step,
      session: challenge.session,
      ...(step === 'NEW_PASSWORD_REQUIRED' ? { newPassword: input('step-password').value } : {}),
      ...(step === 'SELECT_MFA_TYPE' && chosen
        ? { mfaType: chosen.value as 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'EMAIL_OTP' }
        : {}),
      ...(step !== 'NEW_PASSWORD_REQUIRED' && step !== 'SELECT_MFA_TYPE'
        ? { code: input('step-code-input').value }
        : {}),
    },
  });
  if (error) return showError(error);
  await signedInOrStep(email, data);
});

async function loadProviders(): Promise<void> {
  const { data } = await api.GET('/auth/oauth/providers');
  const list = element('providers');
  list.replaceChildren();
  for (const provider of data ?? []) {
    const link = document.createElement('a');
    // The browser goes to the provider and comes back here, signed in by cookies.
    link.href = `/auth/oauth/authorize?${new URLSearchParams({ provider: provider.name, returnTo: '/demo' })}`;
    link.textContent =
      provider.type === 'cognito'
        ? 'Sign in on the user pool’s own page'
        : `Sign in with ${provider.name}`;
    const item = document.createElement('li');
    item.append(link);
    list.append(item);
  }
  show('providers-none', (data ?? []).length === 0);
}

// ---- Signed in: profile, password, authenticator, session, AWS credentials --------------------

/**
 * When the focused control was just hidden (the form that signed in or out), the keyboard
 * goes on from the heading of the part now shown, not from the top of the page.
 */
function keepFocus(headingId: string): void {
  const focused = document.activeElement;
  if (focused && focused !== document.body && !focused.closest('[hidden]')) return;
  element(headingId).focus();
}

/** Asks the API who is signed in, and shows the part of the page that fits. */
async function refresh(): Promise<void> {
  const { data, response } = await api.GET('/account');
  const signedIn = response.ok && data !== undefined;
  show('signed-in', signedIn);
  show('signed-out', !signedIn);
  keepFocus(signedIn ? 'signed-in-title' : 'signed-out-title');
  if (!signedIn) {
    say('Signed out.');
    await loadProviders();
    return;
  }
  say(`Signed in as ${data.email ?? data.username}.`);
  element('profile-email').textContent = data.email ?? '';
  input('profile-name').value = data.attributes.name ?? '';
  element('mfa-state').textContent = data.mfa.totpEnabled ? 'on' : 'off';
  show('mfa-off', data.mfa.totpEnabled);
}

onSubmit('profile-form', async () => {
  const { error } = await api.PATCH('/account', {
    body: { attributes: { name: input('profile-name').value } },
  });
  if (error) return showError(error);
  say('Profile saved.');
});

onSubmit('password-form', async () => {
  const { error } = await api.POST('/auth/change-password', {
    body: {
      previousPassword: input('password-current').value,
      proposedPassword: input('password-new').value,
    },
  });
  if (error) return showError(error);
  input('password-current').value = '';
  input('password-new').value = '';
  // A password change ends every session, this one too.
  await refresh();
  say('Password changed: sign in again with the new one.');
});

onClick('totp-start', async () => {
  const { data, error } = await api.POST('/account/mfa/totp', {
    body: { password: input('totp-password').value },
  });
  if (error) return showError(error);
  element<HTMLImageElement>('totp-qr-image').src = data.qrCode;
  element('totp-secret').textContent = data.secretCode;
  show('totp-qr');
  show('totp-verify');
  say('Scan the QR code with an authenticator app, then enter the code it shows.');
  input('totp-code').focus();
});

onSubmit('totp-form', async () => {
  const verified = await api.POST('/account/mfa/totp/verify', {
    body: { code: input('totp-code').value, deviceName: 'Reference page' },
  });
  if (verified.error) return showError(verified.error);
  const { error } = await api.PUT('/account/mfa', {
    body: { totpEnabled: true, password: input('totp-password').value },
  });
  if (error) return showError(error);
  input('totp-password').value = '';
  show('totp-qr', false);
  show('totp-verify', false);
  await refresh();
  say('MFA is on: the next sign-in asks for a code.');
});

onClick('mfa-off', async () => {
  const { error } = await api.PUT('/account/mfa', {
    body: { totpEnabled: false, password: input('totp-password').value },
  });
  if (error) return showError(error);
  await refresh();
});

onClick('refresh', async () => {
  const { error } = await api.POST('/auth/refresh', { body: {} });
  if (error) return showError(error);
  say('New tokens: the session goes on.');
});

onClick('logout', async () => {
  const { error } = await api.POST('/auth/logout', { body: {} });
  if (error) return showError(error);
  await refresh();
});

onClick('aws-credentials', async () => {
  const { data, error } = await api.POST('/auth/aws-credentials', { body: {} });
  if (error) return showError(error);
  // The keys are secrets: a real page hands them to the AWS SDK and never shows them.
  element('aws-result').textContent =
    `Identity ${data.identityId}: key ${data.accessKeyId.slice(0, 4)}…, valid until ` +
    `${new Date(data.expiration).toLocaleTimeString()}.`;
});

void run(refresh);
