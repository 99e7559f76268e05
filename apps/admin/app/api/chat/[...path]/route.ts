import type { NextRequest } from "next/server";
import { forward, type ProxyContext } from "@/lib/proxy-route";

// Channel actions on the chat REST API (`/api/v1/chat/*`); the admin token is privileged there.
const handle = (req: NextRequest, ctx: ProxyContext) => forward("/api/v1/chat", req, ctx);

export const dynamic = "force-dynamic";
export { handle as DELETE, handle as GET, handle as PATCH, handle as POST, handle as PUT };
