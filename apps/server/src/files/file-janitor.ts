import { createHash } from "node:crypto";
import type { Logger } from "../observability/logger.ts";
import type { MessageStore, StoredMessage } from "../store/message-store.ts";
import type { FileStorage } from "./file-storage.ts";

/**
 * The storage folder of a channel's uploads: a hash of its url (channel urls may differ only in
 * case, or be `.`/`..`, which a folder name must not). Deleting a channel removes the folder.
 */
export function channelFolder(channelUrl: string): string {
  return createHash("sha256").update(channelUrl).digest("hex").slice(0, 32);
}

/** Storage keys of an upload: the file and its thumbnail, in the channel's folder. */
export function uploadKeys(channelUrl: string, fileId: string): { file: string; thumbnail: string } {
  const folder = channelFolder(channelUrl);
  return { file: `${folder}/${fileId}`, thumbnail: `${folder}/${fileId}.thumb` };
}

/** The upload id in a podchat download url (`…/api/v1/chat/files/{id}`), else null. */
function uploadIdOf(url: string): string | null {
  const m = /\/api\/v1\/chat\/files\/([0-9a-f-]{36})(?:[/?#]|$)/.exec(url);
  return m ? m[1]! : null;
}

export interface FileJanitor {
  /** After a channel was deleted: every file uploaded to it (with thumbnails) goes. */
  channelDeleted(channelUrl: string): Promise<void>;
  /**
   * After a FILE/IMAGE message became a tombstone (`before` is the message as it was): the upload
   * it carried goes, when it is one of this channel's uploads and its uploader sent the message.
   */
  messageDeleted(before: StoredMessage): Promise<void>;
  /** Resolves when every cleanup started so far has finished (close, tests). */
  settled(): Promise<void>;
}

/**
 * Removes the bytes of deleted channels and messages from the file storage. A cleanup never fails
 * the delete that caused it (the delete is already durable): a storage error is logged. Callers
 * wait for it up to `waitMs` (then it goes on in the background), so a download right after a
 * delete normally finds the bytes gone.
 */
export function createFileJanitor(deps: {
  storage: FileStorage;
  store: Pick<MessageStore, "getFile">;
  logger: Logger;
  waitMs?: number;
}): FileJanitor {
  const { storage, store, logger } = deps;
  const waitMs = deps.waitMs ?? 5000;
  const pending = new Set<Promise<void>>();

  async function run(what: Record<string, unknown>, task: () => Promise<void>): Promise<void> {
    const p = task().catch((err) =>
      logger.warn({ err, ...what }, "file storage: could not delete the files of a deleted channel/message"),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  return {
    channelDeleted(channelUrl) {
      return run({ channel_url: channelUrl }, async () => {
        const n = await storage.deleteFolder(channelFolder(channelUrl));
        if (n > 0) logger.debug({ channel_url: channelUrl, objects: n }, "deleted the channel's files");
      });
    },
    messageDeleted(before) {
      const id = before.file ? uploadIdOf(before.file.url) : null;
      if (!id) return Promise.resolve();
      return run({ channel_url: before.channel_url, file_id: id }, async () => {
        const f = await store.getFile(id);
        // Someone else's upload, or another channel's, only linked from this message: not ours to delete.
        if (!f || f.channel_url !== before.channel_url) return;
        if (f.user_id !== null && f.user_id !== before.user_id) return;
        await Promise.all([
          storage.delete(f.storage_key),
          f.thumbnail_key ? storage.delete(f.thumbnail_key) : Promise.resolve(),
        ]);
      });
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
