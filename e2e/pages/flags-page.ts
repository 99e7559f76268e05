import { expect, type Page } from "@playwright/test";

export class FlagsPage {
  constructor(readonly page: Page) {}

  row(env: string) {
    return this.page.getByRole("row", { name: `Environment ${env}` });
  }

  async goto() {
    await this.page.goto("/flags");
    await expect(this.page.getByRole("table", { name: "Environments" })).toBeVisible();
  }

  /** Switches an environment's chat flag to `provider` (prod asks for confirmation first). */
  async switchTo(env: string, provider: "websocket" | "sendbird") {
    await this.row(env)
      .getByRole("button", { name: `Switch ${env} to ${provider}` })
      .click();
    if (env === "prod")
      await this.page.getByRole("dialog").getByRole("button", { name: "Change prod" }).click();
    await expect(this.row(env).getByRole("cell").nth(1)).toContainText(provider);
  }
}
