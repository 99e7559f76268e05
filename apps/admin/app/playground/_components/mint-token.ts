import { MintTokenResponse } from "@podchat/protocol";
import { adminPath, callApi } from "@/lib/client-api";

const TOKEN_TTL_S = 3600;

/** A short-lived user token, minted by the admin API (the one place a token reaches the browser). */
export async function mintToken(userId: string): Promise<string> {
  const res = await callApi(
    adminPath("/tokens"),
    { method: "POST", body: { user_id: userId, ttl_s: TOKEN_TTL_S } },
    MintTokenResponse,
  );
  return res.token;
}
