import { describe, expect, it } from "vitest";
import { ApiError, apiErrorFrom, describeError, toApiErrorData, unreachableError } from "./api-error";

describe("api errors", () => {
  it("reads the protocol's error body, field included", () => {
    const e = apiErrorFrom(400, {
      error: { code: "VALIDATION_FAILED", message: "bad url", field: "channel_url" },
    });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.toJSON()).toEqual({
      status: 400,
      code: "VALIDATION_FAILED",
      message: "bad url",
      field: "channel_url",
    });
    expect(describeError(e.toJSON())).toBe("bad url (field: channel_url)");
  });

  it("copes with bodies that are not error bodies", () => {
    expect(apiErrorFrom(503, "oops").code).toBe("INTERNAL");
    expect(apiErrorFrom(418, null).message).toMatch(/418/);
  });

  it("describes unreachable, unauthorised and forbidden distinctly", () => {
    expect(describeError(unreachableError().toJSON())).toMatch(/podchat server unreachable/);
    expect(describeError({ status: 403, code: "FORBIDDEN", message: "admin only" })).toBe(
      "Forbidden: admin only",
    );
    expect(describeError({ status: 401, code: "UNAUTHORIZED", message: "no token" })).toMatch(
      /^Not signed in/,
    );
    expect(toApiErrorData(new Error("x")).message).toBe("x");
  });
});
