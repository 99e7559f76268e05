import { expect, type Page } from "@playwright/test";
import { PlaygroundPage } from "./playground-page";

/** The inbox playground: one user's live channel list, and the channel opened from it. */
export class InboxPage {
  /** URLs of every WebSocket the page opened, in order (recorded from construction on). */
  readonly sockets: string[] = [];
  /** The opened channel's chat: the same panel (roles) as the one-channel playground's. */
  readonly chat: PlaygroundPage;

  constructor(readonly page: Page) {
    page.on("websocket", (ws) => this.sockets.push(ws.url()));
    this.chat = new PlaygroundPage(page);
  }

  readonly status = () => this.page.getByRole("status", { name: "User connection", exact: true });
  readonly totalUnread = () => this.page.getByRole("status", { name: "Total unread", exact: true });
  readonly list = () => this.page.getByRole("list", { name: "Channels", exact: true });
  readonly rows = () => this.list().getByRole("listitem");

  /** Opens the page and connects as `userId` (`pageSize` rows per page, default the form's). */
  async connect(userId: string, pageSize?: number) {
    await this.page.goto("/playground/inbox");
    await this.page.getByLabel("User id").fill(userId);
    if (pageSize !== undefined) await this.page.getByLabel("Page size").fill(String(pageSize));
    await this.page.getByRole("button", { name: "Connect" }).click();
    await expect(this.status()).toHaveText("connected");
  }

  row(channelUrl: string) {
    return this.list().getByRole("listitem", { name: channelUrl, exact: true });
  }

  /** The row's unread badge (its accessible name is `N unread`). */
  unread(channelUrl: string) {
    return this.row(channelUrl).getByTestId("unread");
  }

  lastMessage(channelUrl: string) {
    return this.row(channelUrl).getByTestId("last-message");
  }

  /** The rows' names (channel urls), top to bottom, as shown now. */
  rowNames(): Promise<string[]> {
    return this.rows().evaluateAll((items) => items.map((li) => li.getAttribute("aria-label") ?? ""));
  }

  /** Opens the channel of a row on the right. */
  async open(channelUrl: string) {
    await this.row(channelUrl).getByRole("button").click();
    await expect(this.page.getByRole("region", { name: new RegExp(`in ${channelUrl}$`) })).toBeVisible();
  }
}
