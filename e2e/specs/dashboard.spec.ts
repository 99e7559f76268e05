import { expect, test } from "../fixtures/test";

test("the overview counts a new chat connection live, without a reload", async ({
  page,
  chatChannel,
  openPlayground,
}) => {
  await page.goto("/");
  await expect(page.getByRole("status", { name: "Stream status" })).toHaveText("● live");
  const connections = page.getByRole("region", { name: "Connections" });
  await expect(connections).toHaveText(/^Connections\s*0$/);

  const member = await openPlayground("1", chatChannel);
  await expect(connections).toHaveText(/^Connections\s*1$/);
  await expect(page.getByRole("table", { name: "Instances" })).toContainText("dev");

  await member.leave();
  await expect(connections).toHaveText(/^Connections\s*0$/);
});

test("a channel page shows members coming online and messages arriving live", async ({
  page,
  api,
  chatChannel,
  channelPage,
  openPlayground,
}) => {
  await channelPage.goto(chatChannel);
  await expect(page.getByRole("status").filter({ hasText: "live" })).toHaveText("● live");
  const members = page.getByRole("list", { name: "Members" });
  await expect(members.getByRole("listitem").filter({ hasText: "online" })).toHaveCount(0);

  await openPlayground("2", chatChannel);
  await expect(members.getByRole("listitem").filter({ hasText: "2 online" })).toBeVisible();

  await api.sendMessage(chatChannel, "1", "sent over REST");
  await expect(channelPage.tail()).toContainText("#1 [MESG] 1: sent over REST");
});
