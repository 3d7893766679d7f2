import { readFile } from 'node:fs/promises';
import { AgoraError, ErrorCode } from '../core/index.js';
import { writeFileAtomic } from './atomic-file.js';
import { withFileLock } from './file-lock.js';

/**
 * A document an agent keeps across runs beside its key (what it has shown to whom, say): read whole, replaced whole.
 * Whoever owns the document serializes its updates; the store only guarantees a write lands whole or not at all.
 */
export interface AgentStateStore {
  /** The document last written, or undefined when none was. */
  read(): Promise<string | undefined>;
  /** Replaces the document: after a crash the old or the new one is there, never a mix. */
  write(text: string): Promise<void>;
  /**
   * Runs `step` (a read, then a write) excluding every other user of the document, other processes included; a
   * store no other process can reach has none and runs it as it is.
   */
  exclusive?<T>(step: () => Promise<T>): Promise<T>;
}

/** A store that lives as long as the process: for agents that live no longer (a simulation's). */
export function memoryAgentState(): AgentStateStore {
  let document: string | undefined;
  return {
    read: async () => document,
    write: async (text) => {
      document = text;
    },
  };
}

/**
 * A store in the file at `path` (in the agent's home, beside `key.json`): owner-only, each write to a temporary
 * file flushed and renamed over it. `IO` when the file cannot be read or written.
 */
export function fileAgentState(path: string): AgentStateStore {
  return {
    read: async () => {
      try {
        return await readFile(path, 'utf8');
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new AgoraError(ErrorCode.Io, `cannot read ${path}: ${(cause as Error).message}`, { cause });
      }
    },
    write: async (text) => {
      try {
        await writeFileAtomic(path, text);
      } catch (cause) {
        throw new AgoraError(ErrorCode.Io, `cannot write ${path}: ${(cause as Error).message}`, { cause });
      }
    },
    // Another process of the agent reads and writes the same file: each read-and-write holds `<path>.lock`.
    exclusive: (step) => withFileLock(`${path}.lock`, step),
  };
}
