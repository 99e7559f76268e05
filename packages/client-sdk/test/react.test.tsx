// @vitest-environment happy-dom
import { act, cleanup, render, screen } from "@testing-library/react";
import { StrictMode, useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PodchatClient } from "../src/client.ts";
import { PodchatProvider, useChannel } from "../src/react/index.ts";
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

  it("throws a clear error outside PodchatProvider", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => render(<Chat url="c1" />)).toThrow(/PodchatProvider/);
  });
});
