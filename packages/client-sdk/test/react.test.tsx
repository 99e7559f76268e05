// @vitest-environment happy-dom
import { act, cleanup, render, screen } from "@testing-library/react";
import { StrictMode, useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type PodchatClient } from "../src/client.ts";
import { PodchatProvider, type UseChannelResult, useChannel } from "../src/react/index.ts";
import type { FetchLike } from "../src/types.ts";
import { advance, setup } from "./helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function Chat({ url, historyLimit }: { url: string; historyLimit?: number }) {
  const { messages, status, outbox, send } = useChannel(url, { historyLimit });
  return (
    <div>
      <p data-testid="status">{status}</p>
      <ul data-testid="messages">
        {messages.map((m) => (
          <li key={m.seq}>{`${m.seq}:${m.message}`}</li>
        ))}
      </ul>
      <p data-testid="outbox">{outbox.map((o) => o.status).join(",")}</p>
      <button type="button" onClick={() => void send("from ui")}>
        send
      </button>
    </div>
  );
}

/** Mounts 0, 1 or 2 subscribers of the same channel; `controls.toggle(n)` changes how many. */
function Mounts({ client, controls }: { client: PodchatClient; controls: { toggle: (n: number) => void } }) {
  const [n, setN] = useState(2);
  controls.toggle = setN;
  return (
    <PodchatProvider client={client}>
      {n >= 1 && <Chat url="c1" />}
      {n >= 2 && <Chat url="c1" />}
    </PodchatProvider>
  );
}

/** Exposes the hook result to the test and shows the new state. */
let hook: UseChannelResult | undefined;
function Rich() {
  hook = useChannel("c1");
  const { messages, typingUsers, readState } = hook;
  return (
    <div>
      <ul data-testid="messages">
        {messages.map((m) => (
          <li
            key={m.seq}
          >{`${m.seq}:${m.deleted ? "(deleted)" : m.message}${m.edited_at ? " (edited)" : ""}`}</li>
        ))}
      </ul>
      <p data-testid="typing">{typingUsers.join(",")}</p>
      <p data-testid="read">{JSON.stringify(readState)}</p>
    </div>
  );
}

const step = (ms = 0) => act(() => advance(ms));
const texts = () => Array.from(screen.getByTestId("messages").querySelectorAll("li"), (li) => li.textContent);

describe("useChannel", () => {
  it("opens one socket under StrictMode, shows status and messages, and sends", async () => {
    const { server, client } = setup();
    render(
      <StrictMode>
        <PodchatProvider client={client}>
          <Chat url="c1" />
        </PodchatProvider>
      </StrictMode>,
    );
    await step();
    expect(server.sockets).toHaveLength(1);
    expect(screen.getByTestId("status").textContent).toBe("connected");

    server.post("c1", "hello");
    await step();
    expect(texts()).toEqual(["1:hello"]);

    act(() => screen.getByRole("button").click());
    expect(screen.getByTestId("outbox").textContent).toBe("sent");
    await step();
    expect(texts()).toEqual(["1:hello", "2:from ui"]);
    expect(screen.getByTestId("outbox").textContent).toBe("");
    expect(server.sockets).toHaveLength(1);
  });

  it("shares the channel between components and disconnects shortly after the last unmounts", async () => {
    const { server, client } = setup({ releaseDelayMs: 500 });
    const controls = { toggle: (_n: number) => {} };
    render(<Mounts client={client} controls={controls} />);
    await step();
    expect(server.sockets).toHaveLength(1);
    act(() => controls.toggle(1));
    await step(10_000);
    expect(server.latest.closedByClient).toBeUndefined();
    act(() => controls.toggle(0));
    await step(499);
    expect(server.latest.closedByClient).toBeUndefined();
    await step(1);
    expect(server.latest.closedByClient?.code).toBe(1000);
    expect(client.channel("c1").status).toBe("disconnected");
    act(() => controls.toggle(1));
    await step();
    expect(server.sockets).toHaveLength(2);
    expect(client.channel("c1").status).toBe("connected");
  });

  it("loads history just below where the live stream starts, without holes or repeats", async () => {
    const { server, client } = setup();
    for (let i = 1; i <= 5; i++) server.storeMessage("c1", `old ${i}`);
    render(
      <StrictMode>
        <PodchatProvider client={client}>
          <Chat url="c1" historyLimit={3} />
        </PodchatProvider>
      </StrictMode>,
    );
    await step();
    server.post("c1", "live");
    await step();
    expect(texts()).toEqual(["3:old 3", "4:old 4", "5:old 5", "6:live"]);
    const historyCall = server.httpCalls
      .map((c) => new URL(c.url).search)
      .find((q) => q.includes("before_seq"));
    expect(historyCall).toBe("?before_seq=6&limit=3");
  });

  it("applies edits and deletions to messages, exposes typing users, read state and the new actions", async () => {
    const { server, client } = setup();
    render(
      <StrictMode>
        <PodchatProvider client={client}>
          <Rich />
        </PodchatProvider>
      </StrictMode>,
    );
    await step();
    expect(screen.getByTestId("read").textContent).toBe('{"1":0,"2":1}');
    server.post("c1", "theirs");
    await step();
    await act(async () => {
      await hook?.send("mine");
    });
    await step();
    server.edit("c1", 1, "theirs v2");
    await act(async () => {
      await hook?.edit(2, "mine v2");
    });
    await step();
    expect(texts()).toEqual(["1:theirs v2 (edited)", "2:mine v2 (edited)"]);
    await act(async () => {
      await hook?.remove(2);
    });
    server.remove("c1", 1);
    await step();
    expect(texts()).toEqual(["1:(deleted) (edited)", "2:(deleted) (edited)"]);

    server.broadcast("c1", {
      type: "TYPING",
      channel_url: "c1",
      user_id: 2,
      typing: true,
      expires_in_ms: 3_000,
    });
    server.broadcast("c1", {
      type: "TYPING",
      channel_url: "c1",
      user_id: "bob",
      typing: true,
      expires_in_ms: 6_000,
    });
    await step();
    expect(screen.getByTestId("typing").textContent).toBe("2,bob");
    await step(3_000);
    expect(screen.getByTestId("typing").textContent).toBe("bob");
    await step(3_000);
    expect(screen.getByTestId("typing").textContent).toBe("");

    act(() => hook?.markRead());
    await step();
    expect(server.latest.sentOf("READ")).toEqual([{ type: "READ", seq: 6 }]);
    expect(screen.getByTestId("read").textContent).toBe('{"1":6,"2":1}');
    server.broadcast("c1", {
      type: "READ_RECEIPT",
      channel_url: "c1",
      user_id: 2,
      seq: 4,
      timestamp: new Date().toISOString(),
    });
    await step();
    expect(screen.getByTestId("read").textContent).toBe('{"1":6,"2":4}');
    const readStateCalls = () => server.httpCalls.filter((c) => c.url.endsWith("/read-state")).length;
    expect(readStateCalls()).toBe(1);
    server.latest.serverClose(1006); // receipts are not replayed: the hook reloads read state
    await step(1_000);
    expect(server.sockets).toHaveLength(2);
    expect(readStateCalls()).toBe(2);
    expect(screen.getByTestId("read").textContent).toBe('{"1":6,"2":4}');

    await act(async () => {
      await hook?.sendFile(new File(["x"], "a.txt", { type: "text/plain" }), { caption: "doc" });
    });
    await step();
    expect(texts().at(-1)).toBe("7:doc");
  });

  it("re-applies edits that arrive before the history page to that page", async () => {
    const { server } = setup();
    for (let i = 1; i <= 3; i++) server.storeMessage("c1", `old ${i}`);
    // History answers late, with the state from before the edit.
    const slow: FetchLike = async (url, init) => {
      const res = await server.fetch(url, init);
      const body = await res.json();
      await new Promise((r) => setTimeout(r, 100));
      return { ...res, json: async () => body };
    };
    const client = createClient({
      url: "http://fake",
      token: "t1",
      WebSocket: server.WebSocket,
      fetch: slow,
    });
    render(
      <PodchatProvider client={client}>
        <Chat url="c1" historyLimit={10} />
      </PodchatProvider>,
    );
    await step();
    server.edit("c1", 2, "old 2 edited");
    server.remove("c1", 3);
    await step();
    expect(texts()).toEqual([]);
    await step(100);
    expect(texts()).toEqual(["1:old 1", "2:old 2 edited", "3:"]);
  });

  it("throws a clear error outside PodchatProvider", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => render(<Chat url="c1" />)).toThrow(/PodchatProvider/);
  });
});
