// @vitest-environment happy-dom
// useInbox and useChannel on the shared socket, with the fake server's user connection.
import { act, cleanup, render, screen } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../../src/client.ts";
import { createInboxClient } from "../../src/inbox/index.ts";
import { PodchatProvider, useChannel, useInbox } from "../../src/inbox/react.ts";
import { FakeServer } from "../fake-server.ts";
import { advance } from "../helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-01-01T00:00:00.000Z"));
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function Inbox() {
  const { rows, totalUnread, status } = useInbox();
  return (
    <div>
      <p data-testid="inbox">{`${status} ${totalUnread}: ${rows.map((r) => `${r.channel_url}=${r.unread_count}`).join(" ")}`}</p>
    </div>
  );
}

function Chat({ url }: { url: string }) {
  const { messages, status } = useChannel(url);
  return <p data-testid={url}>{`${status} ${messages.map((m) => m.message).join(",")}`}</p>;
}

describe("useInbox and useChannel on the user connection", () => {
  it("render the live list and two channels over one socket", async () => {
    const server = new FakeServer();
    for (const [i, url] of ["a", "b"].entries()) {
      server.inbox.set(url, {
        name: url,
        created_at: new Date(Date.UTC(2025, 0, 1, i)).toISOString(),
        last_read_seq: 0,
      });
    }
    const client = createInboxClient({
      url: "http://fake",
      token: "t",
      WebSocket: server.WebSocket,
      fetch: server.fetch,
    });
    render(
      <StrictMode>
        <PodchatProvider client={client}>
          <Inbox />
          <Chat url="a" />
          <Chat url="b" />
        </PodchatProvider>
      </StrictMode>,
    );
    await act(() => advance());
    expect(screen.getByTestId("inbox").textContent).toBe("connected 0: b=0 a=0");
    await act(async () => {
      await advance(1_000);
      server.post("a", "hello a");
      await advance();
    });
    expect(screen.getByTestId("inbox").textContent).toBe("connected 1: a=1 b=0");
    expect(screen.getByTestId("a").textContent).toBe("connected hello a");
    expect(screen.getByTestId("b").textContent).toBe("connected ");
    expect(server.sockets).toHaveLength(1);
    client.close();
  });

  it("useInbox says what is wrong with a core client", async () => {
    const server = new FakeServer();
    const client = createClient({ url: "http://fake", token: "t", WebSocket: server.WebSocket });
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() =>
      render(
        <PodchatProvider client={client}>
          <Inbox />
        </PodchatProvider>,
      ),
    ).toThrow(/createInboxClient/);
  });
});
