import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/index.ts";
import { MessageHookChain } from "./chain.ts";
import { linkHosts, linksHook } from "./links.ts";
import { profanityHook } from "./profanity.ts";
import type { HookInput } from "./types.ts";

const input = (message: string): HookInput => ({
  channel_url: "c",
  user_id: "1",
  message,
  custom_type: null,
  data: null,
  kind: "send",
});

describe("profanity", () => {
  const mask = profanityHook({ languages: ["en", "ko"], action: "mask" });
  const text = (m: string) => {
    const v = mask.check(input(m));
    if (v instanceof Promise) throw new Error("sync");
    return v.action === "rewrite" ? v.message : v.action;
  };

  it("en: whole words, any case; words inside other words pass", () => {
    expect(text("Fuck this SHIT")).toBe("**** this ****");
    expect(text("Scunthorpe, shitake, classic")).toBe("accept");
  });

  it("ko: substring inside a sentence, with spaces, dots or digits between the letters, and jamo", () => {
    expect(text("너진짜병신이야")).toBe("너진짜**이야");
    expect(text("아 씨 발")).toBe("아 * *");
    expect(text("시.발 ㅅㅂ")).toBe("*.* **");
    expect(text("안녕하세요 반갑습니다")).toBe("accept");
  });

  it("decomposed jamo (NFD) compose first", () => {
    expect(text("병신".normalize("NFD"))).toBe("**");
    expect(text("한국어".normalize("NFD"))).toBe("한국어");
  });

  it("only the configured languages, plus extra words", () => {
    const en = profanityHook({ languages: ["en"], action: "reject", extra_words: { en: ["heck"] } });
    expect(en.check(input("씨발"))).toEqual({ action: "accept" });
    expect(en.check(input("oh heck"))).toMatchObject({ action: "reject" });
  });
});

describe("links", () => {
  it("finds scheme URLs, www. hosts and bare hosts with a common TLD, not sentences", () => {
    expect(linkHosts("a https://User@Sub.Example.com:8443/p?q b www.x.org c y.io/z")).toEqual([
      "sub.example.com",
      "www.x.org",
      "y.io",
    ]);
    expect(linkHosts("end. Next sentence, e.g. this; mail me@x")).toEqual([]);
  });

  it("allow_domains lets listed domains and their subdomains through only", () => {
    const h = linksHook({ action: "allow_domains", domains: ["example.com"] });
    expect(h.check(input("https://a.example.com/x"))).toEqual({ action: "accept" });
    expect(h.check(input("https://notexample.com/x"))).toMatchObject({ action: "reject" });
  });
});

describe("chain", () => {
  it("runs in order on the text the hook before left; the first reject ends it", async () => {
    const chain = new MessageHookChain([
      profanityHook({ languages: ["en"], action: "mask" }),
      { kind: "t", check: (i) => ({ action: "rewrite", message: `${i.message}!` }) },
    ]);
    expect(await chain.run(input("shit happens"))).toBe("**** happens!");
    const rejecting = new MessageHookChain([linksHook({ action: "reject" })]);
    await expect(rejecting.run(input("see x.com"))).rejects.toMatchObject({
      code: "MESSAGE_REJECTED",
      status: 422,
    });
  });

  it("config: bad hooks are clear errors", () => {
    const bad = (hooks: unknown[]) => () =>
      loadConfig({ env: { APP_ENV: "dev" }, overrides: { messages: { hooks } } });
    expect(bad([{ kind: "profanity", languages: ["fr"] }])).toThrow(/messages\.hooks\.0\.languages/);
    expect(bad([{ kind: "http", url: "http://x.example/h", secret: "short" }])).toThrow(/secret/);
    expect(bad([{ kind: "nope" }])).toThrow(/messages\.hooks\.0/);
    const ok = loadConfig({
      env: { APP_ENV: "dev" },
      overrides: { messages: { hooks: [{ kind: "links" }] } },
    });
    expect(ok.config.messages.hooks).toEqual([{ kind: "links", action: "reject", domains: [] }]);
  });
});
