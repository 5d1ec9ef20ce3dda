import { Logger } from '@nestjs/common';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { globalSignOutWhereSupported } from './endpoint-gaps';

describe(globalSignOutWhereSupported.name, () => {
  const logger = new Logger('Test');
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('goes without the sign-out of an endpoint that lacks it (501), with one warning', async () => {
    const signOut = jest
      .fn()
      .mockRejectedValue(new AppException(501, ErrorCode.NOT_SUPPORTED_UPSTREAM, 'unsupported'));
    await expect(globalSignOutWhereSupported(logger, signOut)).resolves.toBeUndefined();
    expect(signOut).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/no global sign-out/);
  });

  it('passes on every other failure, silently', async () => {
    const down = new AppException(503, ErrorCode.UPSTREAM_UNAVAILABLE, 'down');
    await expect(globalSignOutWhereSupported(logger, () => Promise.reject(down))).rejects.toBe(
      down,
    );
    await expect(
      globalSignOutWhereSupported(logger, () => Promise.resolve()),
    ).resolves.toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });
});
