import { LoginPage } from "../pages/login-page";
import { stack } from "../stack";
import { expect, test } from "../fixtures/test";

test("validation errors from the server are shown with the offending field", async ({ page }) => {
  await page.goto("/channels");
  await page.getByLabel("Channel URL", { exact: true }).fill("not a valid url!");
  await page.getByRole("button", { name: "Create channel" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("(field: channel_url)");
});

test("a session holding a non-admin token is shown Forbidden", async ({ browser, api }) => {
  const context = await browser.newContext({ baseURL: stack.adminUrl });
  await context.addCookies([
    { name: "podchat_admin", value: await api.userToken("1"), url: stack.adminUrl, httpOnly: true },
    { name: "podchat_admin_user", value: "mallory", url: stack.adminUrl },
  ]);
  const page = await context.newPage();
  await page.goto("/flags");
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Forbidden");
  await context.close();
});

test.describe("when the podchat server is down", () => {
  test.use({ baseURL: stack.orphanAdminUrl, storageState: { cookies: [], origins: [] } });

  test("sign-in says the server is unreachable", async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.submit("admin", "admin");
    await expect(login.alert()).toContainText("podchat server unreachable");
  });

  test("dashboard pages show the unreachable banner", async ({ page, context }) => {
    await context.addCookies([
      { name: "podchat_admin", value: "any-token", url: stack.orphanAdminUrl, httpOnly: true },
    ]);
    for (const path of ["/", "/channels", "/flags"]) {
      await page.goto(path);
      await expect(page.getByRole("main").getByRole("alert").first()).toContainText(
        "podchat server unreachable",
      );
    }
  });
});
