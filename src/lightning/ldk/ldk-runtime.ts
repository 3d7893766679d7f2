import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as Ldk from 'lightningdevkit';

let loading: Promise<typeof Ldk> | undefined;

/**
 * Loads LDK's WebAssembly (shipped inside the `lightningdevkit` package; nothing is downloaded) once per process.
 * The bindings announce themselves on the console when they load; that line is kept off stdout. The bindings
 * themselves are imported here, on first use, not when this module loads: they take seconds and ~50 MB.
 */
export function loadLdk(): Promise<typeof Ldk> {
  loading ??= (async () => {
    const ldk = await import('lightningdevkit');
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
