import { expect, type Page } from "@playwright/test";

/** The playground: one user chatting in one channel through the client SDK. */
export class PlaygroundPage {
  constructor(readonly page: Page) {}

  readonly status = () => this.page.getByRole("status", { name: "Connection status" });
  readonly messages = () => this.page.getByRole("log", { name: "Messages" });
  readonly presence = () => this.page.getByRole("log", { name: "Presence" });

  async join(userId: string, channelUrl: string) {
    await this.page.goto("/playground");
    await this.page.getByLabel("User id").fill(userId);
    await this.page.getByLabel("Channel URL").fill(channelUrl);
    await this.page.getByRole("button", { name: "Connect" }).click();
    await expect(this.status()).toHaveText("connected");
  }

  async send(text: string) {
    await this.page.getByRole("textbox", { name: "Message", exact: true }).fill(text);
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
  }

  async leave() {
    await this.page.getByRole("button", { name: "Disconnect" }).click();
    await expect(this.page.getByRole("button", { name: "Connect" })).toBeVisible();
  }

  /** The message line as the log shows it: `#seq user: text`. */
  message(text: string) {
    return this.messages()
      .getByRole("listitem")
      .filter({ hasText: `: ${text}` });
  }
}
