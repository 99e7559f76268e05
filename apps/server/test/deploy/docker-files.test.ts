// No container engine runs here, so the image is never built in tests: this checks the Dockerfile
// with a linter (dockerfile-utils, the validator of the VS Code Docker language server) and by its
// structure, that what it COPYs is in the build context, and that compose.yaml parses into the
// stack docs/deploy.md describes, with an environment podchat's own config loader accepts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import dockerignore from "@balena/dockerignore";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";

const repo = join(import.meta.dirname, "..", "..", "..", "..");
const dockerfileText = readFileSync(join(repo, "Dockerfile"), "utf8");
const dockerfile = DockerfileParser.parse(dockerfileText);
const instructions = dockerfile.getInstructions();
const ignored = dockerignore().add(readFileSync(join(repo, ".dockerignore"), "utf8").split("\n"));

/** Instructions grouped by build stage (each starts at a FROM). */
function stages(): { name: string | null; image: string; body: Instruction[] }[] {
  const out: { name: string | null; image: string; body: Instruction[] }[] = [];
  for (const i of instructions) {
    if (i.getKeyword() === "FROM") {
      const args = i.getArguments().map((a) => a.getValue());
      out.push({ image: args[0]!, name: args[2] ?? null, body: [] });
    } else out.at(-1)?.body.push(i);
  }
  return out;
}
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const flags = (i: Instruction) =>
  "getFlags" in i
    ? (i as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags()
    : [];

describe("Dockerfile", () => {
  it("passes the linter with no diagnostics", () => {
    const problems = validate(dockerfileText).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it("is multi-stage on node:20-slim and runs the bundle as a non-root user with a /healthz check", () => {
    const nodeImage = dockerfile.getInitialARGs().find((a) => a.getProperty()?.getName() === "NODE_IMAGE");
    expect(nodeImage?.getProperty()?.getValue()).toBe("node:20-slim");
    const all = stages();
    expect(all.map((s) => s.name)).toEqual(["build", "runtime"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile ARG reference, not a template
    for (const s of all) expect(s.image).toBe("${NODE_IMAGE}");

    const runtime = all.at(-1)!.body;
    const last = (kw: string) => runtime.filter((i) => i.getKeyword() === kw).at(-1);
    const user = last("USER");
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(args(user!)[0]);
    // Nothing runs as root after the switch (a RUN after USER would be the user's anyway).
    expect(runtime.indexOf(user!)).toBeGreaterThan(runtime.findLastIndex((i) => i.getKeyword() === "RUN"));
    expect(last("HEALTHCHECK")?.getArgumentsContent()).toMatch(/\/healthz/);
    expect(last("CMD")?.getArgumentsContent()).toBe('["node", "dist/main.js"]');
    expect(last("ENV")?.getArgumentsContent() ?? "").toMatch(/APP_ENV=prod/);
    expect(last("STOPSIGNAL")?.getArgumentsContent()).toBe("SIGTERM");
    // The runtime stage holds only what the build stage deployed.
    const copies = runtime.filter((i) => i.getKeyword() === "COPY");
    expect(
      copies.map((c) =>
        flags(c)
          .find((f) => f.getName() === "from")
          ?.getValue(),
      ),
    ).toEqual(["build"]);
  });

  it("builds better-sqlite3 from source when needed and only runs scripts that exist", () => {
    const build = stages()[0]!.body;
    const runs = build.filter((i) => i.getKeyword() === "RUN").map((i) => i.getArgumentsContent() ?? "");
    expect(runs.join("\n")).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    const pkg = JSON.parse(readFileSync(join(repo, "apps/server/package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    for (const r of runs) {
      const script = /pnpm --filter @podchat\/server run (\S+)/.exec(r)?.[1];
      if (script) expect(pkg.scripts[script], script).toBeDefined();
    }
    expect(runs.some((r) => r.includes("deploy --legacy --prod /out"))).toBe(true);
    const root = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { packageManager: string };
    expect(runs.some((r) => r.includes(`npm install -g ${root.packageManager}`))).toBe(true);
  });

  it("COPYs only what exists in the build context, and the context has what the build needs", () => {
    const sources = instructions
      .filter((i) => i.getKeyword() === "COPY" && !flags(i).some((f) => f.getName() === "from"))
      .flatMap((i) => args(i).slice(0, -1));
    expect(sources).toEqual(["pnpm-lock.yaml", "pnpm-workspace.yaml", "."]);
    for (const s of sources) {
      expect(existsSync(join(repo, s)), s).toBe(true);
      if (s !== ".") expect(ignored.ignores(s), s).toBe(false);
    }
    const needed = [
      "package.json",
      "turbo.json",
      "tsconfig.base.json",
      "apps/server/package.json",
      "apps/server/src/main.ts",
      "apps/server/src/cli/podchat.ts",
      "apps/server/scripts/build.mjs",
      "apps/server/bin/podchat.mjs",
      "apps/server/config/config.prod.yaml",
      "packages/protocol/package.json",
      "packages/protocol/src/index.ts",
      // Every workspace manifest: the frozen lockfile install checks them all.
      ...["apps/sendbird-emulator", "apps/admin", "packages/client-sdk", "e2e", "bench"]
        .filter((d) => existsSync(join(repo, d, "package.json")))
        .map((d) => `${d}/package.json`),
    ];
    for (const n of needed) {
      expect(existsSync(join(repo, n)), n).toBe(true);
      expect(ignored.ignores(n), n).toBe(false);
    }
    for (const n of [
      "node_modules/x",
      "apps/server/node_modules/x",
      "apps/server/dist/main.js",
      "apps/server/data/x.sqlite",
      ".git/HEAD",
      ".env",
    ])
      expect(ignored.ignores(n), n).toBe(true);
  });
});

describe("compose.yaml", () => {
  const compose = parseYaml(readFileSync(join(repo, "compose.yaml"), "utf8")) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };

  it("runs podchat, PostgreSQL and Redis, podchat after both are healthy", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["podchat", "postgres", "redis"]);
    const podchat = compose.services.podchat!;
    expect(podchat.build).toBe(".");
    expect(podchat.ports).toEqual(["8000:8000"]);
    expect(podchat.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
    });
    expect(compose.services.postgres!.image).toMatch(/^postgres:/);
    expect(compose.services.redis!.image).toMatch(/^redis:/);
    for (const s of ["postgres", "redis"])
      expect((compose.services[s]!.healthcheck as { test: unknown }).test, s).toBeDefined();
    expect(Object.keys(compose.volumes).sort()).toEqual(["pgdata", "uploads"]);
  });

  it("wires DATABASE_URL, REDIS_URL and APP_ENV=prod, with secrets only from the environment", () => {
    const env = compose.services.podchat!.environment as Record<string, string>;
    expect(env.APP_ENV).toBe("prod");
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\/podchat$/);
    expect(env.REDIS_URL).toBe("redis://redis:6379");
    for (const secret of ["JWT_SECRET", "API_KEYS", "ADMIN_PASSWORD"])
      expect(env[secret], secret).toMatch(new RegExp(`^\\$\\{${secret}:\\?`));
    expect(env.DATABASE_URL).toContain("${POSTGRES_PASSWORD:?");
    expect((compose.services.postgres!.environment as Record<string, string>).POSTGRES_PASSWORD).toContain(
      "${POSTGRES_PASSWORD:?",
    );
  });

  it("gives an environment podchat's config loader accepts for APP_ENV=prod", () => {
    const given: Record<string, string> = {
      POSTGRES_PASSWORD: "pg-pass",
      JWT_SECRET: "a-production-secret-0123456789",
      API_KEYS: "backend-key-1,backend-key-2",
      ADMIN_PASSWORD: "an-admin-password",
    };
    // Compose's interpolation, for the two forms the file uses.
    const interpolate = (v: string, vars: Record<string, string>) =>
      v.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
        if (vars[name] !== undefined) return vars[name]!;
        if (op === "-") return arg ?? "";
        throw new Error(`compose refuses to start: ${name} is unset (${arg})`);
      });
    const raw = compose.services.podchat!.environment as Record<string, string>;
    const envWith = (vars: Record<string, string>) =>
      Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), vars)]));
    const { config } = loadConfig({ env: envWith(given) });
    expect(config).toMatchObject({
      env: "prod",
      store: { driver: "postgres", postgres: { url: "postgres://podchat:pg-pass@postgres:5432/podchat" } },
      bus: { driver: "redis", redis: { url: "redis://redis:6379" } },
      auth: { api_keys: ["backend-key-1", "backend-key-2"], jwt: { require_exp: true } },
      chat: { use_websocket: true },
    });
    const { JWT_SECRET: _unset, ...noSecret } = given;
    expect(() => envWith(noSecret)).toThrow(/JWT_SECRET is unset/);
  });
});
