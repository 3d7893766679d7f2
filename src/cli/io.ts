/** The process surface a command uses, injectable so commands run in-process in tests. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM): long-running commands end cleanly. */
  readonly signal?: AbortSignal;
}

/** Writes `text` and waits for the stream to accept more when it is full. */
export async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

/** A counter on stderr, only when stderr is a terminal; machine output on stdout stays clean. */
export class Progress {
  private shown = false;
  private last = 0;

  constructor(
    private readonly stream: CliIo['stderr'],
    private readonly label: string,
  ) {}

  update(count: number): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.shown = true;
    this.stream.write(`\r${this.label} ${count.toLocaleString('en-US')}`);
  }

  done(): void {
    if (this.shown) this.stream.write('\n');
  }
}
