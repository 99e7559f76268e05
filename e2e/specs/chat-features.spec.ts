import { join } from "node:path";
import { expect, test } from "../fixtures/test";

// Protocol 0.2 in the playground and the channel page: files, read receipts, typing, edit/delete,
// moderation. Each spec uses its own fresh channel with members 1 and 2.

const PNG = join(import.meta.dirname, "../fixtures/pixel.png");

test("an image sent from one page is rendered on the other", async ({ chatChannel, openPlayground }) => {
  const one = await openPlayground("1", chatChannel);
  const two = await openPlayground("2", chatChannel);

  await one.messageBox().fill("a picture");
  await one.sendImage(PNG);

  const image = two.image("pixel.png");
  await expect(image).toBeVisible();
  await expect(two.message("a picture")).toContainText("#1 1: a picture");
  // Loaded for real (through `?token=`), not a broken-image icon.
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect
    .poll(() => one.image("pixel.png").evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);
});

test("the sender sees, live, that the other member read its message", async ({
  chatChannel,
  openPlayground,
}) => {
  const one = await openPlayground("1", chatChannel);
  await one.send("did you read this?");
  await expect(one.message("did you read this?")).toContainText("not read yet");

  // Page two shows the message, so it marks the channel read; page one hears the receipt.
  const two = await openPlayground("2", chatChannel);
  await expect(two.message("did you read this?")).toBeVisible();
  await expect(one.message("did you read this?")).toContainText("read by 1 (2)");
});

test("typing on one page shows an indicator on the other", async ({ chatChannel, openPlayground }) => {
  const one = await openPlayground("1", chatChannel);
  const two = await openPlayground("2", chatChannel);
  await expect(one.presence().getByRole("listitem").filter({ hasText: "2 joined" })).toBeVisible();

  await two.messageBox().pressSequentially("hel");
  await expect(one.typing()).toHaveText("user 2 is typing…");
  await expect(two.typing()).toHaveText("");

  // Sending stops the indicator.
  await two.messageBox().fill("hello");
  await two.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(one.message("hello")).toBeVisible();
  await expect(one.typing()).toHaveText("");
});

test("own messages can be edited and deleted; both pages and the admin's live tail follow", async ({
  chatChannel,
  openPlayground,
  channelPage,
}) => {
  const one = await openPlayground("1", chatChannel);
  const two = await openPlayground("2", chatChannel);
  await one.send("first draft");
  await one.send("to be removed");
  await expect(two.message("to be removed")).toBeVisible();
  // Only one's own messages have the buttons.
  await expect(two.page.getByRole("button", { name: "Edit #1" })).toHaveCount(0);

  await channelPage.goto(chatChannel);
  await expect(channelPage.page.getByRole("status").filter({ hasText: "live" })).toHaveText("● live");
  const tail = channelPage.tail().getByRole("listitem");
  await expect(tail.filter({ hasText: "#2 [MESG]" })).toContainText("to be removed");

  await one.edit(1, "final text");
  await expect(two.messageAt(1)).toContainText("#1 1: final text (edited)");
  await expect(one.messageAt(1)).toContainText("#1 1: final text (edited)");

  await one.delete(2);
  await expect(two.messageAt(2)).toHaveText("#2 1: message deleted");
  await expect(one.messageAt(2)).toHaveText("#2 1: message deleted");

  // The admin's tail changed live, without a reload …
  await expect(tail.filter({ hasText: "#1 [MESG]" })).toContainText("final text (edited)");
  await expect(tail.filter({ hasText: "#2 [MESG]" })).toContainText("message deleted");
  // … and the same after one.
  await channelPage.page.reload();
  await expect(tail.filter({ hasText: "#1 [MESG]" })).toContainText("final text (edited)");
  await expect(tail.filter({ hasText: "#2 [MESG]" })).toContainText("message deleted");
});

test("an admin mutes a user, whose sends are refused, and freezes the channel", async ({
  chatChannel,
  openPlayground,
  channelPage,
}) => {
  const two = await openPlayground("2", chatChannel);
  await channelPage.goto(chatChannel);
  const moderation = channelPage.moderation();

  await moderation.getByLabel("Mute user ids").fill("2");
  await moderation.getByRole("button", { name: "Mute", exact: true }).click();
  await expect(moderation.getByRole("list", { name: "Muted users" })).toContainText("2 until lifted");

  await two.send("can I talk?");
  await expect(two.page.getByRole("alert").filter({ hasText: "Send failed" })).toContainText("MUTED");

  await moderation.getByRole("button", { name: "Unmute 2" }).click();
  await expect(moderation.getByRole("list", { name: "Muted users" }).getByRole("listitem")).toHaveText([
    "none",
  ]);

  const freeze = moderation.getByRole("status", { name: "Freeze state" });
  await expect(freeze).toHaveText("Not frozen");
  await moderation.getByRole("button", { name: "Freeze channel" }).click();
  await expect(freeze).toHaveText("Frozen: only operators can send");
  await moderation.getByRole("button", { name: "Unfreeze channel" }).click();
  await expect(freeze).toHaveText("Not frozen");
});

test("an admin bans a user, who is disconnected from the playground with a clear message", async ({
  chatChannel,
  openPlayground,
  channelPage,
}) => {
  const two = await openPlayground("2", chatChannel);
  await channelPage.goto(chatChannel);
  await expect(channelPage.moderation().getByRole("status", { name: "Freeze state" })).toHaveText(
    "Not frozen",
  );

  await channelPage.ban("2", 3600);

  await expect(two.page.getByRole("alert").filter({ hasText: "BANNED" })).toContainText(
    "BANNED: You are banned from this channel",
  );
  await expect(two.status()).toHaveText("disconnected");

  // Lifting the ban lets the user back in.
  await channelPage.moderation().getByRole("button", { name: "Lift ban on 2" }).click();
  await expect(channelPage.banned().getByRole("listitem")).toHaveText(["none"]);
});
