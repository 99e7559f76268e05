import { expect, test } from "../fixtures/test";

test.describe("sign-in", () => {
  // These visits start without the admin's cookies.
  test.use({ storageState: { cookies: [], origins: [] } });

  test("an unauthenticated visit is redirected to the login page", async ({ page }) => {
    await page.goto("/flags");
    await expect(page).toHaveURL(/\/login\?next=%2Fflags$/);
    await expect(page.getByRole("heading", { name: "Sign in to podchat admin" })).toBeVisible();
  });

  test("a wrong password is refused with a clear message", async ({ loginPage, page }) => {
    await loginPage.goto();
    await loginPage.submit("admin", "not-the-password");
    await expect(loginPage.alert()).toContainText("Sign-in refused");
    await expect(page).toHaveURL(/\/login/);
    // Still not signed in: protected pages keep redirecting.
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
  });

  test("the admin signs in, lands where it was going, and signs out", async ({ loginPage, page }) => {
    await page.goto("/channels");
    await expect(page).toHaveURL(/\/login\?next=%2Fchannels$/);
    await loginPage.submit("admin", "admin");
    await expect(page).toHaveURL(/\/channels$/);
    await expect(page.getByRole("heading", { name: "Channels", level: 1 })).toBeVisible();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/channels");
    await expect(page).toHaveURL(/\/login/);
  });

  test("the API route handlers refuse calls without a session", async ({ request }) => {
    const res = await request.get("/api/admin/overview");
    expect(res.status()).toBe(401);
    expect((await res.json()).error.code).toBe("UNAUTHORIZED");
  });
});
