// The server's layers, one way down (docs/architecture.md):
//   http/ (REST and the socket endpoint) → chat/ (ChatService, the rules) → providers/ → store/, bus/
//   realtime/ knows sockets, rooms and fan-out only.
// `pnpm test` fails on any import against these rules or any cycle.
const below = (from, ...forbidden) => ({
  name: `${from}-not-above`,
  comment: `${from}/ may not import ${forbidden.join(", ")}`,
  severity: "error",
  from: { path: `^src/${from}/` },
  to: { path: `^src/(${forbidden.join("|")})/` },
});

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    below("realtime", "store", "chat", "providers", "http", "auth", "config", "flags", "files", "migration"),
    below("providers", "chat", "http", "realtime", "flags", "migration", "files"),
    below("chat", "http", "realtime", "migration", "flags", "files"),
    below("store", "chat", "providers", "http", "realtime", "bus", "presence", "flags", "files", "migration"),
    below("bus", "store", "chat", "providers", "http", "realtime", "presence", "flags", "files", "migration"),
    below("presence", "store", "chat", "providers", "http", "realtime", "flags", "files", "migration"),
    below("errors", "chat", "providers", "http", "realtime", "bus", "flags", "files", "migration"),
    below("observability", "store", "chat", "providers", "http", "realtime", "flags", "files", "migration"),
    below("auth", "store", "chat", "providers", "http", "realtime", "bus", "flags", "files", "migration"),
    below("flags", "http", "realtime", "providers", "migration", "files"),
    below("files", "http", "realtime", "providers", "migration", "flags"),
    below("migration", "http", "realtime"),
    below("audit", "http", "realtime", "chat", "providers", "flags", "files", "migration"),
    // webhooks/ reads the store's outbox and maps stored rows (providers/websocket/wire.ts) only.
    below("webhooks", "http", "realtime", "chat", "bus", "presence", "flags", "files", "migration"),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.(test|conformance)\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
