/** How one account reads a managed policy: its default version, then that version's document. */
export interface PolicyReader {
  defaultVersion(arn: string): Promise<string>;
  document(arn: string, versionId: string): Promise<unknown>;
}

/**
 * Managed policy documents, read once per run and kept by ARN and default version: the
 * same AWS managed policy (`ReadOnlyAccess`, `AdministratorAccess`) is attached to many
 * roles in many accounts, and its document is the same in all of them.
 */
export class ManagedPolicyDocuments {
  private readonly versions = new Map<string, Promise<string>>();
  private readonly documents = new Map<string, Promise<unknown>>();

  async document(arn: string, reader: PolicyReader): Promise<unknown> {
    const version = await shared(this.versions, arn, () => reader.defaultVersion(arn));
    return shared(this.documents, `${arn} ${version}`, () => reader.document(arn, version));
  }
}

/**
 * The read in progress or done, else a new one. A failure is never kept, and one that
 * came from another account's read (its own permissions, its own throttling) is read
 * again with this caller's reader.
 */
async function shared<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  const cached = cache.get(key);
  if (cached !== undefined) {
    try {
      return await cached;
    } catch {
      // Read again below, as this caller.
    }
  }
  const fresh = read();
  cache.set(key, fresh);
  fresh.catch(() => cache.get(key) === fresh && cache.delete(key));
  return fresh;
}
