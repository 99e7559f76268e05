import type { HookVerdict, MessageHook } from "./types.ts";

export interface LinksOptions {
  /** `reject`: any link refuses the message; `allow_domains`: only links to `domains` (and their subdomains) pass. */
  action: "reject" | "allow_domains";
  domains?: string[];
}

const TLDS = "com|net|org|io|co|kr|me|app|dev|ly|gg|xyz|info|biz|us|uk|de|jp|cn|ru|tv|link|site|online|shop";
/** http(s):// URLs, `www.` hosts, and bare `name.tld` hosts with a common TLD. */
const LINK = new RegExp(
  `(?:https?:\\/\\/([^\\s/?#]+)[^\\s]*)|(?<![\\p{L}\\p{N}@.-])((?:www\\.)?(?:[a-z0-9-]+\\.)+(?:${TLDS}))(?![\\p{L}\\p{N}-])[^\\s]*`,
  "giu",
);

/** The hosts of the links in `text`, lower-cased, without a port or credentials. */
export function linkHosts(text: string): string[] {
  return [...text.matchAll(LINK)].map((m) =>
    (m[1] ?? m[2] ?? "").toLowerCase().replace(/^.*@/, "").replace(/:\d+$/, "").replace(/\.$/, ""),
  );
}

/** The built-in link filter. */
export function linksHook(o: LinksOptions): MessageHook {
  const allowed = (o.domains ?? []).map((d) => d.toLowerCase().replace(/^\.+/, ""));
  const ok = (host: string) =>
    o.action === "allow_domains" && allowed.some((d) => host === d || host.endsWith(`.${d}`));
  return {
    kind: "links",
    check(input): HookVerdict {
      const bad = linkHosts(input.message).find((h) => !ok(h));
      if (bad === undefined) return { action: "accept" };
      return {
        action: "reject",
        reason: o.action === "reject" ? "links are not allowed" : `links to ${bad} are not allowed`,
      };
    },
  };
}
