import { expect, type Page } from "@playwright/test";

/** A channel's admin page. */
export class ChannelPage {
  constructor(readonly page: Page) {}

  readonly heading = () => this.page.getByRole("heading", { level: 1 });
  readonly tail = () => this.page.getByRole("list", { name: "Message tail" });

  async goto(channelUrl: string) {
    await this.page.goto(`/channels/${encodeURIComponent(channelUrl)}`);
    await expect(this.heading()).toContainText(channelUrl);
  }

  async sendAdminMessage(text: string) {
    await this.page.getByLabel("Admin message").fill(text);
    await this.page.getByRole("button", { name: "Send admin message" }).click();
    await expect(this.tail().getByRole("listitem").filter({ hasText: text })).toBeVisible();
  }

  async migrate() {
    await this.page.getByRole("button", { name: "Migrate to WebSocket" }).click();
    await expect(this.page.getByRole("status", { name: "Migration" })).toContainText("Migration done");
  }
}
