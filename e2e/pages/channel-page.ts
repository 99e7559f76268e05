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

  readonly moderation = () => this.page.getByRole("region", { name: "Moderation" });
  readonly banned = () => this.moderation().getByRole("list", { name: "Banned users" });

  /** Bans `userId` through the moderation panel (for `seconds`, or until lifted). */
  async ban(userId: string, seconds?: number) {
    const panel = this.moderation();
    await panel.getByLabel("Ban user ids").fill(userId);
    if (seconds !== undefined) await panel.getByLabel(/^Ban duration/).fill(String(seconds));
    await panel.getByRole("button", { name: "Ban", exact: true }).click();
    await expect(this.banned().getByRole("listitem").filter({ hasText: userId })).toBeVisible();
  }

  async migrate() {
    await this.page.getByRole("button", { name: "Migrate to WebSocket" }).click();
    await expect(this.page.getByRole("status", { name: "Migration" })).toContainText("Migration done");
  }
}
