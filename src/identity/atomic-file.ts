import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';

/**
 * Writes `text` to `path` so that the file appears whole or not at all: written to a temporary file beside it
 * (created exclusively, owner-only by default), flushed to disk, then renamed over `path`. A crash mid-write leaves
 * the old file, never half of the new one. Errors are the file system's (the caller names them).
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  // Random bytes beside the pid: a temporary file left by a crashed process whose pid is reused (always pid 1 in a
  // container) never collides with a later write, nor do two writes of one process under way together.
  const temporary = `${path}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
  let created = false;
  try {
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    created = true;
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (cause) {
    // Only a file this call created is ours to remove.
    if (created) await unlink(temporary).catch(() => {});
    throw cause;
  }
}
