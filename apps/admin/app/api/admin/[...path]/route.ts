import type { NextRequest } from "next/server";
import { forward, type ProxyContext } from "@/lib/proxy-route";

// The admin API (`/api/v1/admin/*`, SSE streams included) behind the session cookie.
const handle = (req: NextRequest, ctx: ProxyContext) => forward("/api/v1/admin", req, ctx);

export const dynamic = "force-dynamic";
export { handle as DELETE, handle as GET, handle as POST, handle as PUT };
