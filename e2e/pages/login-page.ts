import { expect, type Page } from "@playwright/test";
import { stack } from "../stack";

export class LoginPage {
  constructor(readonly page: Page) {}

  readonly alert = () => this.page.getByRole("main").getByRole("alert");

  async goto() {
    await this.page.goto("/login");
    await expect(this.page.getByRole("heading", { name: "Sign in to podchat admin" })).toBeVisible();
  }

  async submit(username: string, password: string) {
    await this.page.getByLabel("Username").fill(username);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /** Signs in as the dev admin and waits for the dashboard. */
  async signIn() {
    await this.goto();
    await this.submit(stack.admin.username, stack.admin.password);
    await expect(this.page.getByRole("button", { name: "Sign out" })).toBeVisible();
  }
}
