import { unwatchFile, watchFile } from 'node:fs';
import { attributeCodeRecipient, poolDataFile, readLocalCodes } from './local-codes';

/**
 * The embedded mode's stand-in for email: it watches the emulator's data file and shows each new
 * code on the terminal within a fraction of a second. It exists only in the embedded mode (refused
 * in production) and writes to the terminal, never to the application log.
 */
export class CodeMailbox {
  private readonly seen = new Map<string, string>();
  private readonly file: string;
  private readonly listener = (): void => this.check(false);

  constructor(
    private readonly dataDir: string,
    private readonly userPoolId: string,
    private readonly write: (text: string) => void,
  ) {
    this.file = poolDataFile(dataDir, userPoolId);
  }

  start(): void {
    this.check(true);
    watchFile(this.file, { interval: 200, persistent: false }, this.listener);
  }

  stop(): void {
    unwatchFile(this.file, this.listener);
  }

  private check(initial: boolean): void {
    let users;
    try {
      users = readLocalCodes(this.dataDir, this.userPoolId);
    } catch {
      return; // Caught mid-write; the next change will be read.
    }
    for (const user of users) {
      const pending: [string, string, string | undefined][] = [
        ['confirmation / password reset code', user.email ?? user.username, user.confirmationCode],
        [
          'attribute verification code',
          attributeCodeRecipient(user),
          user.attributeVerificationCode,
        ],
      ];
      for (const [kind, recipient, code] of pending) {
        const key = `${user.username}:${kind}`;
        if (!code) {
          this.seen.delete(key);
          continue;
        }
        if (this.seen.get(key) === code) continue;
        this.seen.set(key, code);
        if (!initial) this.write(formatCode(recipient, kind, code));
      }
    }
  }
}

function formatCode(recipient: string, kind: string, code: string): string {
  const lines = [`To: ${recipient}`, `${kind}: ${code}`];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = '─'.repeat(width);
  const body = lines.map((l) => `│ ${l.padEnd(width - 2)} │`).join('\n');
  return `\n┌${bar}┐\n${body}\n└${bar}┘\n`;
}
