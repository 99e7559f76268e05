import { expect, test } from "../fixtures/test";
import { uniqueChannelUrl } from "../fixtures/podchat-api";
import { InboxPage } from "../pages/inbox-page";

// Users of their own per test: other specs put "1" and "2" in many channels of the shared server.
const freshUser = (role: string) => `e2e_inbox_${role}_${Date.now().toString(36)}`;

test("a user's inbox reorders rows and moves unread badges live while another user writes", async ({
  api,
  page,
  openPlayground,
}) => {
  const a = freshUser("a");
  const b = freshUser("b");
  const [one, two, three] = [1, 2, 3].map((n) => uniqueChannelUrl(`e2e_inbox_${n}`)) as [
    string,
    string,
    string,
  ];
  for (const url of [one, two, three]) await api.createChannel(url, [a, b]);

  const inbox = new InboxPage(page);
  await inbox.connect(a);
  // No message yet: newest channel first.
  await expect.poll(() => inbox.rowNames()).toEqual([three, two, one]);
  await expect(inbox.totalUnread()).toHaveText("0");
  for (const url of [one, two, three]) await expect(inbox.unread(url)).toHaveAccessibleName("0 unread");

  // B writes in #2 (its own playground, its own socket): #2 goes to the top, its badge counts.
  const inTwo = await openPlayground(b, two);
  await inTwo.send("first in two");
  await expect.poll(() => inbox.rowNames()).toEqual([two, three, one]);
  await expect(inbox.unread(two)).toHaveAccessibleName("1 unread");
  await expect(inbox.lastMessage(two)).toHaveText(`${b}: first in two`);
  await inTwo.send("second in two");
  await expect(inbox.unread(two)).toHaveAccessibleName("2 unread");
  await expect(inbox.unread(two)).toHaveText("2");
  await expect(inbox.lastMessage(two)).toHaveText(`${b}: second in two`);
  await expect(inbox.totalUnread()).toHaveText("2");
  await expect.poll(() => inbox.rowNames()).toEqual([two, three, one]);

  // B writes in #3: #3 on top, #2 second, the total counts both.
  const inThree = await openPlayground(b, three);
  await inThree.send("hello in three");
  await expect.poll(() => inbox.rowNames()).toEqual([three, two, one]);
  await expect(inbox.unread(three)).toHaveAccessibleName("1 unread");
  await expect(inbox.unread(two)).toHaveAccessibleName("2 unread");
  await expect(inbox.unread(one)).toHaveAccessibleName("0 unread");
  await expect(inbox.totalUnread()).toHaveText("3");

  // A opens #3: it is read (badge 0, total down by one), its history shows on the right.
  await inbox.open(three);
  await expect(inbox.chat.message("hello in three")).toContainText(`#1 ${b}: hello in three`);
  await expect(inbox.unread(three)).toHaveAccessibleName("0 unread");
  await expect(inbox.totalUnread()).toHaveText("2");
  await expect(inbox.unread(two)).toHaveAccessibleName("2 unread");

  // A answers from the inbox page; B sees it, and A's row stays on top, read.
  await inbox.chat.send("reply from the inbox");
  await expect(inThree.message("reply from the inbox")).toContainText(`#2 ${a}: reply from the inbox`);
  await expect(inbox.lastMessage(three)).toHaveText(`${a}: reply from the inbox`);
  await expect(inbox.unread(three)).toHaveAccessibleName("0 unread");
  await expect(inbox.totalUnread()).toHaveText("2");
  await expect.poll(() => inbox.rowNames()).toEqual([three, two, one]);

  // B writes in the channel A has open: the row stays read (A sees it), #2 keeps its two.
  await inThree.send("while you look");
  await expect(inbox.chat.message("while you look")).toBeVisible();
  await expect(inbox.lastMessage(three)).toHaveText(`${b}: while you look`);
  await expect(inbox.unread(three)).toHaveAccessibleName("0 unread");
  await expect(inbox.totalUnread()).toHaveText("2");

  // The list and the open channel shared one socket: the user connection, no channel in its path.
  expect(inbox.sockets).toHaveLength(1);
  const socket = new URL(inbox.sockets[0] ?? "");
  expect(socket.pathname).toBe("/api/v1/chat/ws");
  expect(socket.searchParams.get("token")).toBeTruthy();
});

test("load more appends the next page of the inbox", async ({ api, page }) => {
  const a = freshUser("pager");
  const urls: string[] = [];
  for (let i = 0; i < 3; i++) {
    const url = uniqueChannelUrl("e2e_inbox_page");
    await api.createChannel(url, [a]);
    urls.push(url);
  }
  const [first, second, third] = urls as [string, string, string];
  const inbox = new InboxPage(page);
  await inbox.connect(a, 2);
  await expect.poll(() => inbox.rowNames()).toEqual([third, second]);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect.poll(() => inbox.rowNames()).toEqual([third, second, first]);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
});
