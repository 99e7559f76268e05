import type { StoredFile } from "../message-store.ts";
import { requireChannel, type StoreContext } from "./context.ts";

export async function saveFile(ctx: StoreContext, f: StoredFile): Promise<void> {
  for (const [what, v] of [
    ["name", f.name],
    ["mime_type", f.mime_type],
    ["file_id", f.file_id],
    ["storage_key", f.storage_key],
  ] as const)
    ctx.codec.checkText(what, v);
  await ctx.db.transaction().execute(async (trx) => {
    await requireChannel(ctx, trx, f.channel_url, "noKeyUpdate");
    await trx.insertInto("files").values(f).execute();
  });
}

export async function getFile(ctx: StoreContext, fileId: string): Promise<StoredFile | null> {
  const r = await ctx.db.selectFrom("files").selectAll().where("file_id", "=", fileId).executeTakeFirst();
  return r ? ctx.codec.file(r) : null;
}
