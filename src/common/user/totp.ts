import { toDataURL } from 'qrcode';

/**
 * The `otpauth://` URI authenticator apps read (Key URI Format): the issuer shows as the account's
 * label, with the user's email beside it.
 */
export function otpauthUri(issuer: string, account: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret,
    issuer,
    algorithm: 'SHA1',
    digits: '6',
    period: '30',
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}

/** A QR code of the URI as a PNG data URL, for an <img> tag. */
export function qrCodeDataUrl(uri: string): Promise<string> {
  return toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
}
