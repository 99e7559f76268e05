import type { Metadata } from "next";
import type { ReactNode } from "react";
import { getSessionUser } from "@/lib/session";
import { TopNav } from "./_components/top-nav";
import "./globals.css";

export const metadata: Metadata = { title: "podchat admin", description: "podchat dashboard" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser();
  return (
    <html lang="en">
      <body>
        {user ? <TopNav user={user} /> : null}
        <main>{children}</main>
      </body>
    </html>
  );
}
