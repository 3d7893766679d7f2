/**
 * snarkjs keeps a BN254 curve with worker threads alive once used, which keeps a Node process from exiting. After
 * each proof or verification a timer (that does not itself hold the process) releases the curve once idle; the
 * next use builds it again. The curve is shared by everything in the process that uses snarkjs: code that calls
 * snarkjs directly alongside this module wraps those calls in {@link usingCurve}, so the curve is not released
 * under its feet.
 */
let timer: NodeJS.Timeout | undefined;
let busy = 0;

const IDLE_MS = 300;

function cached(): { terminate(): Promise<void> } | undefined {
  return (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128 ?? undefined;
}

/** Runs `task` with the curve marked busy, then schedules its release. */
export async function usingCurve<T>(task: () => Promise<T>): Promise<T> {
  busy++;
  if (timer !== undefined) clearTimeout(timer);
  try {
    return await task();
  } finally {
    busy--;
    if (busy === 0) {
      timer = setTimeout(() => void releaseCurve(), IDLE_MS);
      timer.unref();
    }
  }
}

/** Terminates snarkjs's curve workers now (idempotent). */
export async function releaseCurve(): Promise<void> {
  if (busy > 0) return;
  const curve = cached();
  if (curve !== undefined) await curve.terminate();
}
