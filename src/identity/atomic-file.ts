import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';

/**
 * Writes `text` to `path` so that the file appears whole or not at all: written to a temporary file beside it
 * (created exclusively, owner-only by default), flushed to disk, then renamed over `path`. A crash mid-write leaves
 * the old file, never half of the new one. Errors are the file system's (the caller names them).
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (cause) {
    await unlink(temporary).catch(() => {});
    throw cause;
  }
}
