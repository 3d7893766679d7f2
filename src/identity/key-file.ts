import { readFile, stat } from 'node:fs/promises';
import { AgoraError, ErrorCode, fromHex, isJsonObject, parseJson, toHex } from '../core/index.js';
import { type AgentKey, agentKeyFromSecret } from './agent-key.js';
import { writeFileAtomic } from './atomic-file.js';

const KIND = 'agora402/agent-key';

function ioError(message: string, cause: unknown): AgoraError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new AgoraError(ErrorCode.NotFound, message, { cause });
  if (code === 'EEXIST') return new AgoraError(ErrorCode.AlreadyExists, message, { cause });
  return new AgoraError(ErrorCode.Io, `${message}: ${(cause as Error).message}`, { cause });
}

/**
 * Writes `key` to `path` readable by its owner only (mode 0600). The file appears whole or not at all: it is
 * written to a temporary file, flushed, then renamed. Refuses to replace an existing key unless `overwrite`.
 */
export async function saveAgentKey(
  path: string,
  key: AgentKey,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  if (!options.overwrite) {
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new AgoraError(ErrorCode.AlreadyExists, `a key already exists at ${path}`);
  }
  const text = `${JSON.stringify({ kind: KIND, v: 1, id: key.id, secretKey: toHex(key.secretKey) }, null, 2)}\n`;
  try {
    await writeFileAtomic(path, text);
  } catch (cause) {
    throw ioError(`cannot write key file ${path}`, cause);
  }
}

/**
 * Reads a key written by {@link saveAgentKey}. Like ssh, it refuses a file that other users can read
 * (`KEY_PERMISSIONS`); a damaged file gives `INVALID_KEY`, a missing one `NOT_FOUND`.
 */
export async function loadAgentKey(path: string): Promise<AgentKey> {
  let text: string;
  try {
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new AgoraError(
        ErrorCode.KeyPermissions,
        `key file ${path} is accessible by other users (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if (cause instanceof AgoraError) throw cause;
    throw ioError(`cannot read key file ${path}`, cause);
  }
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidKey, `key file ${path} is not JSON`, { cause });
  }
  if (
    !isJsonObject(parsed) ||
    parsed.kind !== KIND ||
    parsed.v !== 1 ||
    typeof parsed.secretKey !== 'string'
  ) {
    throw new AgoraError(ErrorCode.InvalidKey, `${path} is not an agora402 key file`);
  }
  let key: AgentKey;
  try {
    key = agentKeyFromSecret(fromHex(parsed.secretKey, 32));
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidKey, `key file ${path} holds no valid secret key`, { cause });
  }
  if (parsed.id !== undefined && parsed.id !== key.id) {
    throw new AgoraError(
      ErrorCode.InvalidKey,
      `key file ${path} is damaged: its id does not match its secret key`,
    );
  }
  return key;
}
