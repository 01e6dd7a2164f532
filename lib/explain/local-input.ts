import { closeSync, openSync, readSync } from 'fs';
import { FileText } from './project-context';

/** Why a read failed, in words a user acts on; `missing` for what may simply not be there. */
function failure(error: unknown): Exclude<FileText, string> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return { missing: true, reason: 'no such file' };
    case 'ENAMETOOLONG':
      return { missing: true, reason: 'no such file (the name is too long for one)' };
    case 'EACCES':
    case 'EPERM':
      return { missing: false, reason: 'permission denied' };
    case 'EISDIR':
      return { missing: false, reason: 'a directory, not a file' };
    case 'EAGAIN':
      return { missing: false, reason: 'not ready (a non-blocking input): pipe the claims in, or pass a file' };
    default:
      return { missing: false, reason: code === undefined ? 'unreadable' : `unreadable (${code})` };
  }
}

/**
 * Reads at most `maxBytes` from an open file, in chunks: a device or a pipe (`/dev/zero`,
 * a process that never stops writing) is cut off at the bound instead of filling memory.
 */
function readBounded(fd: number, maxBytes: number): FileText {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) return Buffer.concat(chunks, total).toString('utf8');
    chunks.push(chunk.subarray(0, read));
    total += read;
    if (total > maxBytes) return { missing: false, reason: `over ${maxBytes} bytes` };
  }
}

/** A file by path, at most `maxBytes` of it, or why not. */
export function readLocalFile(path: string, maxBytes: number): FileText {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return failure(error);
  }
  try {
    return readBounded(fd, maxBytes);
  } catch (error) {
    return failure(error);
  } finally {
    closeSync(fd);
  }
}

/** Standard input, at most `maxBytes` of it, or why not. */
export function readStandardInput(maxBytes: number): FileText {
  try {
    return readBounded(0, maxBytes);
  } catch (error) {
    return failure(error);
  }
}
