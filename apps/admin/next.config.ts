import type { NextConfig } from "next";

const config: NextConfig = {
  // The workspace packages export TypeScript source.
  transpilePackages: ["@podchat/protocol", "@podchat/client-sdk"],
  // Server-Sent Events are proxied through route handlers; compression would buffer them.
  compress: false,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
