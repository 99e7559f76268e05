import type { TokenRevocation } from "../message-store.ts";
import type { StoreContext } from "./context.ts";

export async function revokeTokens(ctx: StoreContext, userId: string, revokedAt: string): Promise<string> {
  ctx.codec.checkText("user_id", userId);
  return ctx.db.transaction().execute(async (trx) => {
    // ISO times of one format compare as text; the later revocation wins.
    await trx
      .insertInto("token_revocations")
      .values({ user_id: userId, revoked_at: revokedAt })
      .onConflict((oc) =>
        oc
          .column("user_id")
          .doUpdateSet({ revoked_at: revokedAt })
          .where("token_revocations.revoked_at", "<", revokedAt),
      )
      .execute();
    const row = await trx
      .selectFrom("token_revocations")
      .select("revoked_at")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    return row.revoked_at;
  });
}

export async function listTokenRevocations(ctx: StoreContext, since: string): Promise<TokenRevocation[]> {
  return ctx.db
    .selectFrom("token_revocations")
    .select(["user_id", "revoked_at"])
    .where("revoked_at", ">=", since)
    .execute();
}
