import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as ldk from 'lightningdevkit';

let loading: Promise<typeof ldk> | undefined;

/**
 * Loads LDK's WebAssembly (shipped inside the `lightningdevkit` package; nothing is downloaded) once per process.
 * The bindings announce themselves on the console when they load; that line is kept off stdout.
 */
export function loadLdk(): Promise<typeof ldk> {
  loading ??= (async () => {
    const path = createRequire(import.meta.url).resolve('lightningdevkit/liblightningjs.wasm');
    const binary = await readFile(path);
    const log = console.log;
    console.log = (...args: unknown[]) => {
      if (!String(args[0]).startsWith('Loaded LDK')) log(...args);
    };
    try {
      await ldk.initializeWasmFromBinary(binary);
    } finally {
      console.log = log;
    }
    return ldk;
  })();
  return loading;
}
