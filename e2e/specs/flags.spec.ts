import { uniqueChannelUrl } from "../fixtures/podchat-api";
import { expect, test } from "../fixtures/test";

test("switching prod asks for confirmation; cancelling changes nothing", async ({ page, api, flagsPage }) => {
  await flagsPage.goto();
  const prod = flagsPage.row("prod");
  const before = (await prod.getByRole("button", { name: /^Switch prod to/ }).textContent()) ?? "";
  const target = before.includes("websocket") ? "websocket" : "sendbird";
  try {
    await prod.getByRole("button", { name: `Switch prod to ${target}` }).click();
    const dialog = page.getByRole("dialog", { name: "Change the chat flag in prod?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(prod.getByRole("button", { name: `Switch prod to ${target}` })).toBeVisible();

    await flagsPage.switchTo("prod", target);
    await expect(prod).toContainText("runtime (admin)");

    await page.getByLabel("Audit env").selectOption("prod");
    await page.getByRole("button", { name: "Filter" }).click();
    const audit = page.getByRole("table", { name: "Audit log" });
    await expect(audit.getByRole("row").nth(1)).toHaveText(/admin.*prod.*use_websocket/);
    await expect(audit.getByRole("row").filter({ hasText: /\bdev\b/ })).toHaveCount(0);
  } finally {
    await api.setFlag("prod", target !== "websocket");
  }
});

test("a per-channel override can be added and removed", async ({ page, flagsPage }) => {
  const url = uniqueChannelUrl("e2e_override");
  await flagsPage.goto();
  await page.getByLabel("Override channel URL").fill(url);
  await page.getByLabel("Override provider").selectOption("sendbird");
  await page.getByRole("button", { name: "Add override" }).click();
  const overrides = page.getByRole("table", { name: "Overrides" });
  await expect(overrides.getByRole("row", { name: url })).toContainText("sendbird");

  await overrides.getByRole("button", { name: `Remove override for ${url}` }).click();
  await expect(overrides.getByRole("row", { name: url })).toHaveCount(0);
});
