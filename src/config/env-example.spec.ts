import { getMetadataStorage } from 'class-validator';
import { parse } from 'dotenv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentVariables, parseEnvironment } from './environment';

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

  it('starts the service as it is: every VAR= of a copied .env.example counts as unset', () => {
    const example = parse(readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8'));
    expect(Object.keys(example).length).toBeGreaterThan(20);
    expect(parseEnvironment(example)).toEqual(parseEnvironment({}));
  });
});
