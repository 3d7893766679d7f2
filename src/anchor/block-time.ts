// Bitcoin's consensus rules on a header's time (Bitcoin Core's ContextualCheckBlockHeader and CheckBlockHeader):
// a header's time must be above the median of the 11 headers before it ("time-too-old"), and a node does not accept a
// header dated more than MAX_FUTURE_BLOCK_TIME (2 hours) after its own clock ("time-too-new"). Regtest keeps both.
// The first rule is a property of the chain, checked when a run of headers is recorded; the second depends on a
// clock, so it is applied where a verdict is computed, at the `now` given to it (never at arrival).

/** How many headers the median time past is taken over. */
export const MEDIAN_TIME_SPAN = 11;

/**
 * The least median time past of a block whose previous `known.length` headers' times are `known` (oldest first, at
 * most {@link MEDIAN_TIME_SPAN}), the rest of the span lying below the checkpoint, unknown. Bitcoin Core takes the
 * middle of the span's 11 times sorted; an unknown time may be anything lower, so with `u` of them the median is at
 * least the known times' (6 - u)-th smallest, and no bound at all from the known times once u reaches 6. `floor` (a
 * checkpoint's median time past, when configured) bounds it from below as well: the median time past never decreases
 * along a chain (each new time is above it), so every block past the checkpoint is dated after it.
 */
export function leastMedianTimePast(known: readonly number[], floor?: number): number | undefined {
  const span = known.slice(-MEDIAN_TIME_SPAN);
  const unknown = MEDIAN_TIME_SPAN - span.length;
  const index = Math.floor(MEDIAN_TIME_SPAN / 2) - unknown;
  const fromKnown = index >= 0 ? [...span].sort((a, b) => a - b)[index] : undefined;
  if (fromKnown === undefined) return floor;
  return floor === undefined ? fromKnown : Math.max(fromKnown, floor);
}
