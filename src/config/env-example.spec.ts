import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentVariables } from './environment';

describe('.env.example', () => {
  it('lists every environment variable the service reads, with an explanation', () => {
    const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
    const variables = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
        .map((metadata) => metadata.propertyName),
    );
    expect(variables.size).toBeGreaterThan(20);
    const lines = example.split('\n');
    for (const name of variables) {
      let line = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect([name, line >= 0]).toEqual([name, true]);
      // Variables may share one explanation: look above the block of assignments it heads.
      while (line > 0 && /^[A-Z_]+=/.test(lines[line - 1])) line--;
      expect([name, lines[line - 1]?.startsWith('#')]).toEqual([name, true]);
    }
  });
});
