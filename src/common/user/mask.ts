function maskPart(part: string): string {
  return part.length === 0 ? part : `${part[0]}***`;
}

/**
 * Masks where a code was sent: `alice@example.com` -> `a***@e***.com`, `+14155550100` ->
 * `+*******0100`. Cognito masks destinations itself; emulators may not, and an answer must never
 * echo a full address.
 */
export function maskDestination(destination: string): string {
  const at = destination.lastIndexOf('@');
  if (at > 0) {
    const local = destination.slice(0, at);
    const domain = destination.slice(at + 1);
    const dot = domain.lastIndexOf('.');
    const tld = dot > 0 ? domain.slice(dot) : '';
    const host = dot > 0 ? domain.slice(0, dot) : domain;
    return `${maskPart(local)}@${maskPart(host)}${tld}`;
  }
  const digits = destination.replace(/[^0-9+]/g, '');
  if (digits.length > 4) {
    const prefix = digits.startsWith('+') ? '+' : '';
    const body = digits.slice(prefix.length);
    return `${prefix}${'*'.repeat(Math.max(0, body.length - 4))}${body.slice(-4)}`;
  }
  return '***';
}

/** A code delivery with its destination masked, for answers to clients. */
export function maskDelivery<T extends { destination?: string }>(delivery: T): T {
  return {
    ...delivery,
    destination: delivery.destination ? maskDestination(delivery.destination) : undefined,
  };
}
