/** What Swagger shows of the health answers. */

export const LIVE_EXAMPLE = { status: 'ok' };

export const READY_EXAMPLE = {
  status: 'ok',
  info: {
    signingKeys: { status: 'up' },
    cognito: { status: 'up' },
    identityPool: { status: 'up' },
    redis: { status: 'up', configured: false },
  },
  error: {},
  details: {},
};
