/**
 * `npm run openapi`: writes clients/openapi.json, the app's OpenAPI document with its default
 * settings, without starting anything (see publishedOpenApiDocument). A test fails when the
 * committed file differs from what the app serves at /docs-json.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publishedOpenApiDocument, serialiseOpenApi } from './openapi-document';

/** clients/openapi.json at the project's root (this file runs from dist/setup/). */
export const OPENAPI_FILE = join(__dirname, '..', '..', 'clients', 'openapi.json');

async function main(): Promise<void> {
  const document = await publishedOpenApiDocument();
  await writeFile(OPENAPI_FILE, serialiseOpenApi(document));
  const operations = Object.values(document.paths).flatMap((item) => Object.keys(item)).length;
  process.stdout.write(`Wrote ${OPENAPI_FILE}: ${operations} operations.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
