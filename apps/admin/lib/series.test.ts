import { describe, expect, it } from "vitest";
import { appendSample, linePath, niceMax } from "./series";

const s = (t: number, messagesPerS = 0, connections = 0) => ({ t, messagesPerS, connections });

describe("appendSample", () => {
  it("keeps only the window and stays sorted", () => {
    let samples = [s(1000), s(2000)];
    samples = appendSample(samples, s(1500), 10_000);
    expect(samples.map((x) => x.t)).toEqual([1000, 1500, 2000]);
    samples = appendSample(samples, s(11_500), 10_000);
    expect(samples.map((x) => x.t)).toEqual([2000, 11_500]);
  });

  it("replaces a sample with the same time", () => {
    const samples = appendSample([s(1000, 1)], s(1000, 5), 10_000);
    expect(samples).toEqual([s(1000, 5)]);
  });
});

describe("linePath", () => {
  it("scales time to x and value to y (top = max)", () => {
    const d = linePath([s(0, 0), s(50, 5), s(100, 10)], (x) => x.messagesPerS, {
      width: 200,
      height: 100,
      from: 0,
      to: 100,
      max: 10,
    });
    expect(d).toBe("M0.0 100.0 L100.0 50.0 L200.0 0.0");
  });

  it("clamps values above max and draws nothing without samples", () => {
    const box = { width: 10, height: 10, from: 0, to: 10, max: 1 };
    expect(linePath([s(10, 99)], (x) => x.messagesPerS, box)).toBe("M10.0 0.0");
    expect(linePath([], (x) => x.messagesPerS, box)).toBe("");
  });
});

describe("niceMax", () => {
  it("rounds up to 1, 2, 5 × a power of ten", () => {
    expect([0, 0.3, 1, 3, 7, 12, 99, 101].map(niceMax)).toEqual([1, 0.5, 1, 5, 10, 20, 100, 200]);
  });
});
