import { expect, test } from "../fixtures/test";

test("two pages chat through the playground and see each other's messages, joins and leaves", async ({
  chatChannel,
  openPlayground,
}) => {
  const one = await openPlayground("1", chatChannel);
  const two = await openPlayground("2", chatChannel);

  await expect(one.presence().getByRole("listitem").filter({ hasText: "2 joined" })).toBeVisible();

  await one.send("hello from 1");
  await expect(two.message("hello from 1")).toContainText("#1 1: hello from 1");
  await expect(one.message("hello from 1")).toContainText("#1 1: hello from 1");

  await two.send("안녕하세요! from 2");
  await expect(one.message("안녕하세요! from 2")).toContainText("#2 2: 안녕하세요! from 2");
  await expect(two.message("안녕하세요! from 2")).toContainText("#2 2: 안녕하세요! from 2");

  await two.leave();
  await expect(one.presence().getByRole("listitem").filter({ hasText: "2 left" })).toBeVisible();
});
