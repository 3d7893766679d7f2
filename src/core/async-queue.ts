/**
 * A push-based async iterable: producers `push`, then `end` or `fail`; one consumer iterates. Values pushed
 * before the consumer asks are buffered, so nothing is lost between creation and the first `next()`.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  private finished = false;
  private error: unknown;
  private readonly onClose: (() => void) | undefined;

  /** `onClose` runs once when the consumer stops early (break, return) or the queue ends. */
  constructor(onClose?: () => void) {
    this.onClose = onClose;
  }

  push(value: T): void {
    if (this.finished) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve({ value, done: false });
    else this.buffer.push(value);
  }

  /** Ends the stream after the buffered values. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    for (const waiter of this.waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
    this.onClose?.();
  }

  /** Ends the stream with an error, raised after the buffered values. */
  fail(error: unknown): void {
    if (this.finished) return;
    this.error = error;
    this.finished = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    this.onClose?.();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.finished) {
      return this.error === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(this.error);
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.error = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
