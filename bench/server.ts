import { createApp } from '../src/app.setup';
import { BenchModule } from './bench.module';

/** The server process of the benchmark: the app exactly as main.ts builds it, plus BenchModule. */
async function main(): Promise<void> {
  // Started by the benchmark with an IPC channel: end with it.
  process.on('disconnect', () => process.exit(0));
  const app = await createApp(BenchModule);
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.stdout.write('ready\n');
}

void main();
