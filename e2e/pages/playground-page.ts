import { expect, type Page } from "@playwright/test";

/** The playground: one user chatting in one channel through the client SDK. */
export class PlaygroundPage {
  constructor(readonly page: Page) {}

  readonly status = () => this.page.getByRole("status", { name: "Connection status" });
  readonly messages = () => this.page.getByRole("log", { name: "Messages" });
  readonly presence = () => this.page.getByRole("log", { name: "Presence" });
  readonly typing = () => this.page.getByRole("status", { name: "Typing" });
  readonly messageBox = () => this.page.getByRole("textbox", { name: "Message", exact: true });

  async join(userId: string, channelUrl: string) {
    await this.page.goto("/playground");
    await this.page.getByLabel("User id").fill(userId);
    await this.page.getByLabel("Channel URL").fill(channelUrl);
    await this.page.getByRole("button", { name: "Connect" }).click();
    await expect(this.status()).toHaveText("connected");
  }

  async send(text: string) {
    await this.messageBox().fill(text);
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
  }

  /** Uploads the image at `path` and sends it (with the message box's text as its caption). */
  async sendImage(path: string) {
    await this.page.getByLabel("Image").setInputFiles(path);
    await this.page.getByRole("button", { name: "Send image" }).click();
  }

  /** The image a message shows, by its file name. */
  image(fileName: string) {
    return this.messages().getByRole("img", { name: fileName });
  }

  async edit(seq: number, text: string) {
    await this.page.getByRole("button", { name: `Edit #${seq}` }).click();
    await this.page.getByRole("textbox", { name: `New text of #${seq}` }).fill(text);
    await this.page.getByRole("button", { name: "Save" }).click();
  }

  async delete(seq: number) {
    await this.page.getByRole("button", { name: `Delete #${seq}` }).click();
  }

  /** The message line with seq `seq` (whatever its text now is). */
  messageAt(seq: number) {
    return this.messages()
      .getByRole("listitem")
      .filter({ hasText: new RegExp(`^#${seq} `) });
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
