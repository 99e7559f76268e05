import { expect, type Page } from "@playwright/test";

/** The admin's Users page: one user's channels and live sockets. */
export class UsersPage {
  constructor(readonly page: Page) {}

  readonly channels = () => this.page.getByRole("table", { name: "User channels" });
  readonly sockets = () => this.page.getByRole("table", { name: "Live sockets" });
  readonly totalUnread = () => this.page.getByRole("region", { name: "Total unread" });
  readonly alert = () => this.page.getByRole("main").getByRole("alert");

  /** Opens the page from the main navigation and searches `userId`. */
  async search(userId: string) {
    await this.page.goto("/");
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await expect(this.page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
    await this.page.getByLabel("User id").fill(userId);
    await this.page.getByRole("button", { name: "Show user" }).click();
    await expect(this.page).toHaveURL(/\/users\?user_id=/);
  }

  channelRow(channelUrl: string) {
    return this.channels().getByRole("row", { name: `Channel ${channelUrl}` });
  }

  unread(channelUrl: string) {
    return this.channels().getByRole("cell", { name: `Unread in ${channelUrl}` });
  }
}
