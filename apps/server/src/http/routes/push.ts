import {
  ChannelUrl,
  ErrorCode,
  PushDeviceRegistration,
  PushDeviceRemovedResponse,
  PushDeviceRemoval,
  PushDeviceResponse,
  PushDevicesResponse,
  PushMuteRequest,
  PushSettings,
  UserIdString,
  WebPushConfigResponse,
} from "@podchat/protocol";
import { type Context, Hono } from "hono";
import { ChatError } from "../../chat/chat-error.ts";
import type { PushDevices } from "../../push/push-devices.ts";
import { audit } from "../audit.ts";
import { validationError } from "../errors.ts";
import { auth, describeRoute, errors, jsonRequest, jsonResponse, param } from "../openapi/index.ts";
import { type AppEnv, requireUserOrPrivileged } from "../principal.ts";
import { jsonBody } from "../validate.ts";

export interface PushRouteDeps {
  devices: PushDevices;
  vapidPublicKey: string | null;
  /** prod: Web Push endpoints must be https. */
  requireHttps: boolean;
}

const forbidden = [403, "FORBIDDEN: a user token acts only on its own devices"] as const;

/**
 * `/api/v1/chat/users/{user_id}/push/...` (@since 0.5): push devices and mutes. The user's own
 * token (its own traffic, not audited) or an API key / admin token (audited).
 */
export function pushUserRoutes(d: PushRouteDeps) {
  const app = new Hono<AppEnv>();

  function target(c: Context<AppEnv>): { userId: string; privileged: boolean } {
    const r = UserIdString.safeParse(c.req.param("user_id"));
    if (!r.success) throw validationError(r.error, "user_id");
    const caller = requireUserOrPrivileged(c);
    if (caller !== null && caller !== r.data)
      throw new ChatError(ErrorCode.FORBIDDEN, "a user token acts only on its own push devices and settings");
    return { userId: r.data, privileged: caller === null };
  }

  app.post(
    "/:user_id/push/devices",
    describeRoute({
      summary: "Register a push device (a Web Push subscription, an FCM or an APNs token)",
      description:
        "Registering the same subscription endpoint or token again refreshes it (and moves it to this " +
        "user). Devices the push service reports gone (404/410, UNREGISTERED) are removed by podchat.",
      tags: ["push"],
      security: auth.chat,
      parameters: [param.userId],
      requestBody: jsonRequest(PushDeviceRegistration),
      responses: {
        201: jsonResponse(PushDeviceResponse),
        ...errors(400, 401, forbidden, 503),
      },
    }),
    async (c) => {
      const { userId, privileged } = target(c);
      const body = await jsonBody(c, PushDeviceRegistration);
      if (body.kind === "web_push" && d.requireHttps && !body.subscription.endpoint.startsWith("https://"))
        throw new ChatError(ErrorCode.VALIDATION_FAILED, "subscription.endpoint must be https://", {
          status: 400,
        });
      const device = await d.devices.register(userId, body);
      if (privileged)
        await audit(c, {
          action: "push.device_register",
          target: { user_id: userId },
          after: { id: device.id, kind: device.kind, address: device.address },
        });
      const res: PushDeviceResponse = { device };
      return c.json(res, 201);
    },
  );

  app.get(
    "/:user_id/push/devices",
    describeRoute({
      summary: "The user's registered push devices (addresses shortened, keys never shown)",
      tags: ["push"],
      security: auth.chat,
      parameters: [param.userId],
      responses: { 200: jsonResponse(PushDevicesResponse), ...errors(400, 401, forbidden, 503) },
    }),
    async (c) => {
      const { userId } = target(c);
      const res: PushDevicesResponse = { devices: await d.devices.list(userId) };
      return c.json(res);
    },
  );

  app.delete(
    "/:user_id/push/devices",
    describeRoute({
      summary: "Remove a push device by its subscription endpoint or token (sign-out, permission revoked)",
      tags: ["push"],
      security: auth.chat,
      parameters: [param.userId],
      requestBody: jsonRequest(PushDeviceRemoval),
      responses: { 200: jsonResponse(PushDeviceRemovedResponse), ...errors(400, 401, forbidden, 503) },
    }),
    async (c) => {
      const { userId, privileged } = target(c);
      const body = await jsonBody(c, PushDeviceRemoval);
      const removed = await d.devices.remove(userId, "endpoint" in body ? body.endpoint : body.token);
      if (privileged && removed > 0)
        await audit(c, { action: "push.device_remove", target: { user_id: userId }, after: { removed } });
      const res: PushDeviceRemovedResponse = { removed };
      return c.json(res);
    },
  );

  app.get(
    "/:user_id/push/settings",
    describeRoute({
      summary: "The user's push mutes in force (user-wide and per channel)",
      tags: ["push"],
      security: auth.chat,
      parameters: [param.userId],
      responses: { 200: jsonResponse(PushSettings), ...errors(400, 401, forbidden, 503) },
    }),
    async (c) => c.json(await d.devices.settings(target(c).userId)),
  );

  const muteDescription =
    "`muted: true` without `until` mutes until unmuted; with `until` (ISO time) it snoozes until then; " +
    "`muted: false` removes the mute.";

  app.put(
    "/:user_id/push/settings",
    describeRoute({
      summary: "Mute or snooze every push of the user",
      description: muteDescription,
      tags: ["push"],
      security: auth.chat,
      parameters: [param.userId],
      requestBody: jsonRequest(PushMuteRequest),
      responses: { 200: jsonResponse(PushSettings), ...errors(400, 401, forbidden, 503) },
    }),
    async (c) => {
      const { userId, privileged } = target(c);
      const body = await jsonBody(c, PushMuteRequest);
      await d.devices.mute(userId, null, body.muted, body.until ?? null);
      if (privileged) await audit(c, { action: "push.mute", target: { user_id: userId }, after: body });
      return c.json(await d.devices.settings(userId));
    },
  );

  app.put(
    "/:user_id/push/channels/:channel_url",
    describeRoute({
      summary: "Mute or snooze the user's pushes of one channel",
      description: muteDescription,
      tags: ["push"],
      security: auth.chat,
      parameters: [param.userId, param.channelUrl],
      requestBody: jsonRequest(PushMuteRequest),
      responses: { 200: jsonResponse(PushSettings), ...errors(400, 401, forbidden, 503) },
    }),
    async (c) => {
      const { userId, privileged } = target(c);
      const url = ChannelUrl.safeParse(c.req.param("channel_url"));
      if (!url.success) throw validationError(url.error, "channel_url");
      const body = await jsonBody(c, PushMuteRequest);
      await d.devices.mute(userId, url.data, body.muted, body.until ?? null);
      if (privileged)
        await audit(c, {
          action: "push.mute",
          target: { user_id: userId, channel_url: url.data },
          after: body,
        });
      return c.json(await d.devices.settings(userId));
    },
  );

  return app;
}

/** `GET /api/v1/chat/push/web-push`: the VAPID public key browsers subscribe with (public). */
export function pushConfigRoutes(d: Pick<PushRouteDeps, "vapidPublicKey">) {
  const app = new Hono<AppEnv>();
  app.get(
    "/web-push",
    describeRoute({
      summary: "What a browser needs to subscribe to Web Push (the VAPID public key)",
      tags: ["push"],
      security: auth.none,
      responses: { 200: jsonResponse(WebPushConfigResponse) },
    }),
    (c) => {
      const res: WebPushConfigResponse = { vapid_public_key: d.vapidPublicKey };
      return c.json(res);
    },
  );
  return app;
}
