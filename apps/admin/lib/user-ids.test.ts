import { expect, it } from "vitest";
import { parseUserIds } from "./user-ids";

it("splits on commas and spaces, drops blanks and repeats", () => {
  expect(parseUserIds(" 1, 2 ,,alice 2\n3 ")).toEqual(["1", "2", "alice", "3"]);
  expect(parseUserIds("   ")).toEqual([]);
});
