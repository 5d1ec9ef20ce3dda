import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The reference page's sources, in clients/demo and clients/typescript (from src/ or dist/). */
const ROOT = join(__dirname, '..', '..', 'clients');

export type AssetName = 'app.js' | 'client.js' | 'openapi-fetch.js' | 'demo.css';

export interface Asset {
  contentType: string;
  body: string;
}

/** Where the page's modules import each other from: this route's own files. */
const ASSET_PATH = '/demo/assets';

/**
 * TypeScript to a browser module, without type checking (the lint step checks the sources):
 * `import type` goes away, and each bare import becomes the file this route serves for it.
 */
async function browserModule(file: string, imports: Record<string, string>): Promise<string> {
  // A development dependency, loaded only when the page is asked for.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const source = await readFile(join(ROOT, file), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      isolatedModules: true,
    },
    fileName: file,
  });
  let text = outputText;
  for (const [from, to] of Object.entries(imports)) {
    text = text.split(`from '${from}'`).join(`from '${ASSET_PATH}/${to}'`);
  }
  return text;
}

const LOADERS: Record<AssetName, () => Promise<Asset>> = {
  'app.js': async () => ({
    contentType: 'text/javascript; charset=utf-8',
    body: await browserModule('demo/app.ts', { '../typescript/src': 'client.js' }),
  }),
  'client.js': async () => ({
    contentType: 'text/javascript; charset=utf-8',
    body: await browserModule('typescript/src/index.ts', { 'openapi-fetch': 'openapi-fetch.js' }),
  }),
  'openapi-fetch.js': async () => ({
    contentType: 'text/javascript; charset=utf-8',
    body: await readFile(
      require.resolve('openapi-fetch').replace(/index\.cjs$/, 'index.mjs'),
      'utf8',
    ),
  }),
  'demo.css': async () => ({
    contentType: 'text/css; charset=utf-8',
    body: await readFile(join(ROOT, 'demo', 'demo.css'), 'utf8'),
  }),
};

export function isAssetName(name: string): name is AssetName {
  return Object.hasOwn(LOADERS, name);
}

/**
 * The reference page's files, made once per process: the page itself, its script and the typed
 * client transpiled to browser modules, openapi-fetch's own module, the style sheet.
 */
export class DemoAssets {
  private readonly made = new Map<string, Promise<Asset>>();

  page(): Promise<Asset> {
    return this.once('index.html', async () => ({
      contentType: 'text/html; charset=utf-8',
      body: await readFile(join(ROOT, 'demo', 'index.html'), 'utf8'),
    }));
  }

  asset(name: AssetName): Promise<Asset> {
    return this.once(name, LOADERS[name]);
  }

  private once(name: string, make: () => Promise<Asset>): Promise<Asset> {
    let asset = this.made.get(name);
    if (!asset) {
      asset = make();
      // A failure (a file missing) is tried again next time.
      asset.catch(() => this.made.delete(name));
      this.made.set(name, asset);
    }
    return asset;
  }
}
