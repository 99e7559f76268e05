// The audit view as the server renders it: rows newest first, the export link with the page's
// filters, "Load more" only while older entries remain.
import type { AuditLogEntry, AuditLogPage } from "@podchat/protocol";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AuditStoreProvider } from "@/providers/audit-store-provider";
import { type AuditFilters, initAuditState, noFilters } from "@/stores/audit-store";
import { AuditView } from "./audit-view";

const entry = (id: string, over: Partial<AuditLogEntry> = {}): AuditLogEntry => ({
  id,
  at: "2026-12-04T19:12:04.123Z",
  actor: { kind: "api_key", id: "sha256:0123456789ab" },
  action: "moderation.ban",
  target: { channel_url: "pod_1", user_id: "42" },
  before: { banned: [] },
  after: { banned: [{ user_id: 42, until: null }] },
  request_id: "req-1",
  node_id: "node-a",
  ip: "10.0.0.7",
  ...over,
});

const render = (filters: AuditFilters, page: AuditLogPage) =>
  renderToStaticMarkup(
    createElement(AuditStoreProvider, {
      init: initAuditState(filters, page),
      children: createElement(AuditView),
    }),
  );

describe("AuditView", () => {
  it("shows who, what, target, before → after and the instance, with an export of the same filter", () => {
    const html = render(
      { ...noFilters(), action: "moderation.*", channel_url: "pod_1" },
      {
        entries: [entry("2"), entry("1", { action: "channel.delete", before: undefined, after: undefined })],
        next_cursor: "1",
      },
    );
    expect(html).toContain("2026-12-04 19:12:04");
    expect(html).toContain("api_key: sha256:0123456789ab");
    expect(html).toContain("pod_1 · user 42");
    expect(html).toContain(
      "{&quot;banned&quot;:[]} → {&quot;banned&quot;:[{&quot;user_id&quot;:42,&quot;until&quot;:null}]}",
    );
    expect(html).toContain("node-a");
    expect(html.indexOf("moderation.ban")).toBeLessThan(html.indexOf("channel.delete"));
    expect(html).toContain('href="/api/admin/audit/export?action=moderation.*&amp;channel_url=pod_1"');
    expect(html).toContain("Load more");
  });

  it("says when nothing matches and offers no more pages at the end", () => {
    const html = render(noFilters(), { entries: [], next_cursor: null });
    expect(html).toContain("No entries match.");
    expect(html).not.toContain("Load more");
    expect(html).toContain('href="/api/admin/audit/export"');
  });
});
