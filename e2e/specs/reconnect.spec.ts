import type { Page, WebSocketRoute } from "@playwright/test";
import { expect, test } from "../fixtures/test";

/** Puts a page's chat sockets behind a switch: `drop()` cuts them and refuses new ones until `restore()`. */
async function breakableSockets(page: Page) {
  let offline = false;
  const open: Array<{ page: WebSocketRoute; server: WebSocketRoute }> = [];
  await page.routeWebSocket(/\/api\/v1\/chat\/ws\//, (ws) => {
    if (offline) {
      // Never reaches the server: the page sees its connection fail, as on a dead network.
      void ws.close({ code: 1011, reason: "network down (test)" });
      return;
    }
    open.push({ page: ws, server: ws.connectToServer() });
  });
  return {
    async drop() {
      offline = true;
      for (const ws of open.splice(0)) {
        await ws.page.close({ code: 1011, reason: "network down (test)" });
        await ws.server.close();
      }
    },
    restore() {
      offline = false;
    },
  };
}

test("a page that loses its connection recovers every message sent meanwhile, once and in order", async ({
  chatChannel,
  openPlayground,
}) => {
  const one = await openPlayground("1", chatChannel);
  let sockets: Awaited<ReturnType<typeof breakableSockets>> | undefined;
  const two = await openPlayground("2", chatChannel, async (page) => {
    sockets = await breakableSockets(page);
  });
  await one.send("before the drop");
  await expect(two.message("before the drop")).toContainText("#1 1: before the drop");

  await sockets!.drop();
  await expect(two.status()).toHaveText("reconnecting");
  await expect(one.presence().getByRole("listitem").filter({ hasText: "2 left" })).toBeVisible();

  const missed = ["missed one", "missed two", "missed three"];
  for (const [i, text] of missed.entries()) {
    await one.send(text);
    // Stored (it has its seq) while page two is cut off.
    await expect(one.message(text)).toContainText(`#${i + 2} 1: ${text}`);
  }
  await expect(two.status()).toHaveText("reconnecting");

  sockets!.restore();
  await expect(two.status()).toHaveText("connected", { timeout: 20_000 });
  for (const [i, text] of missed.entries())
    await expect(two.message(text)).toContainText(`#${i + 2} 1: ${text}`);
  await expect(two.messages().getByRole("listitem")).toHaveText([
    "#1 1: before the drop",
    "#2 1: missed one",
    "#3 1: missed two",
    "#4 1: missed three",
  ]);

  await two.send("back again");
  await expect(one.message("back again")).toContainText("#5 2: back again");
});
