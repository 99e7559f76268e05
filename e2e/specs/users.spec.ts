import { expect, test } from "../fixtures/test";
import { uniqueChannelUrl } from "../fixtures/podchat-api";
import { UsersPage } from "../pages/users-page";
import { stack } from "../stack";

test("an admin looks a user up: both channels with unread counts, the live socket, and opens a channel", async ({
  api,
  page,
  openPlayground,
}) => {
  // A user of its own: other specs put "1" and "2" in many channels of the shared server.
  const user = `e2e_user_${Date.now().toString(36)}`;
  const quiet = uniqueChannelUrl("e2e_users_quiet");
  const live = uniqueChannelUrl("e2e_users_live");
  await api.createChannel(quiet, [user, "2"]);
  await api.createChannel(live, [user, "2"]);
  // Two unread in the channel nobody has open; the open one gets only the user's own message.
  await api.sendMessage(quiet, "2", "are you there?");
  await api.sendMessage(quiet, "2", "ping");
  const chat = await openPlayground(user, live);
  await chat.send("hello from the live page");
  await expect(chat.message("hello from the live page")).toBeVisible();

  const users = new UsersPage(page);
  await users.search(user);
  await expect(users.channelRow(quiet)).toBeVisible();
  await expect(users.channelRow(live)).toBeVisible();
  await expect(users.unread(quiet)).toHaveText("2");
  await expect(users.unread(live)).toHaveText("0");
  await expect(users.totalUnread()).toContainText("2");
  await expect(users.channelRow(quiet)).toContainText("ping");
  await expect(users.channelRow(live)).toContainText("hello from the live page");
  // Newest activity first: the live channel had the last message.
  await expect(users.channels().getByRole("row").nth(1)).toHaveAccessibleName(`Channel ${live}`);

  const socket = users.sockets().getByRole("row").filter({ hasText: "per-channel" });
  await expect(socket).toHaveCount(1);
  await expect(socket).toContainText(live);
  await expect(socket).toContainText("127.0.0.1");

  await users.channelRow(quiet).getByRole("link", { name: quiet }).click();
  await expect(page).toHaveURL(new RegExp(`/channels/${quiet}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText(quiet);
});

test("load more appends the next page of the user's channels", async ({ api, page }) => {
  const user = `e2e_pager_${Date.now().toString(36)}`;
  const urls: string[] = [];
  for (let i = 0; i < 21; i++) {
    const url = uniqueChannelUrl("e2e_users_page");
    await api.createChannel(url, [user]);
    urls.push(url);
  }
  const users = new UsersPage(page);
  await users.search(user);
  const rows = users.channels().getByRole("row", { name: /^Channel e2e_users_page_/ });
  await expect(rows).toHaveCount(20);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).toHaveCount(21);
  for (const url of urls) await expect(users.channelRow(url)).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
});

test("a user podchat does not know gets a clear empty state", async ({ page }) => {
  const users = new UsersPage(page);
  await users.search(`e2e_nobody_${Date.now().toString(36)}`);
  await expect(page.getByRole("status").filter({ hasText: "No channels and no live socket" })).toBeVisible();
  await expect(users.channels()).toContainText("Not a member of any channel.");
  await expect(users.sockets()).toContainText("No live socket on this instance.");
});

test.describe("when the podchat server is down", () => {
  test.use({ baseURL: stack.orphanAdminUrl, storageState: { cookies: [], origins: [] } });

  test("the Users page shows the unreachable banner", async ({ page, context }) => {
    await context.addCookies([
      { name: "podchat_admin", value: "any-token", url: stack.orphanAdminUrl, httpOnly: true },
    ]);
    await page.goto("/users?user_id=1");
    await expect(page.getByRole("main").getByRole("alert")).toContainText("podchat server unreachable");
  });
});
