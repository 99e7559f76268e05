import { uniqueChannelUrl } from "../fixtures/podchat-api";
import { expect, test } from "../fixtures/test";

test("an admin flips dev to Sendbird, creates a channel there, then migrates it to WebSocket", async ({
  page,
  api,
  flagsPage,
  channelPage,
  openPlayground,
}) => {
  const url = uniqueChannelUrl("e2e_migrate");
  try {
    await flagsPage.goto();
    await flagsPage.switchTo("dev", "sendbird");
    await expect(flagsPage.row("dev")).toContainText("runtime (admin)");
    // Newest first: who changed what, before → after.
    await expect(page.getByRole("table", { name: "Audit log" }).getByRole("row").nth(1)).toHaveText(
      /admin.*dev.*use_websocket.*→ false/,
    );

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Channels" }).click();
    await page.getByLabel("Channel URL", { exact: true }).fill(url);
    await page.getByLabel("Member ids").fill("1, 2");
    await page.getByRole("button", { name: "Create channel" }).click();
    await expect(channelPage.heading()).toContainText(url);
    await expect(channelPage.heading()).toContainText("sendbird");
    expect(await api.sendbirdChannel(url), "the channel exists on the Sendbird emulator").not.toBeNull();

    await channelPage.sendAdminMessage("welcome, from Sendbird days");
    await channelPage.sendAdminMessage("second notice");

    await channelPage.migrate();
    await expect(page.getByRole("status", { name: "Migration" })).toContainText("2 / 2 messages copied");
    await expect(channelPage.heading()).toContainText("websocket");
    await expect(channelPage.tail().getByRole("listitem")).toHaveCount(2);
    await expect(channelPage.tail()).toContainText("welcome, from Sendbird days");

    await page.goto(`/channels?q=${url}`);
    await expect(page.getByRole("table", { name: "Channels" }).getByRole("row", { name: url })).toContainText(
      "websocket",
    );

    // Served over WebSocket now: a member connects through the SDK and gets the history.
    const member = await openPlayground("1", url);
    await expect(member.message("welcome, from Sendbird days")).toBeVisible();
    await expect(member.message("second notice")).toBeVisible();
  } finally {
    await api.setDevFlag(true);
  }
});
