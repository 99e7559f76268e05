import { AdminUserView } from "@podchat/protocol";
import { ignoringChangeEntries } from "@/lib/log-entries";
import { loadForPage, serverJson } from "@/lib/server-api";
import { UserViewStoreProvider } from "@/providers/user-view-store-provider";
import { initUserViewState, userViewQuery } from "@/stores/user-view-store";
import { ErrorBanner } from "../_components/error-banner";
import { UserView } from "./_components/user-view";

export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

/** `/users?user_id=…`: one user's channels with unread counts and their live sockets. */
export default async function UsersPage({ searchParams }: { searchParams: Search }) {
  const userId = one((await searchParams).user_id).trim();
  const result = userId
    ? await loadForPage(() =>
        serverJson(
          `/api/v1/admin/users/${encodeURIComponent(userId)}?${userViewQuery(null)}`,
          ignoringChangeEntries(AdminUserView),
        ),
      )
    : null;

  return (
    <>
      <h1>Users</h1>
      <search>
        <form className="inline" action="/users">
          <label>
            User id
            <input name="user_id" defaultValue={userId} placeholder="1 or alice" required maxLength={64} />
          </label>
          <button type="submit">Show user</button>
        </form>
      </search>
      {result === null ? (
        <p className="muted">
          Search a user id to see their channels (with unread counts) and their live sockets.
        </p>
      ) : null}
      <ErrorBanner error={result?.error?.toJSON()} />
      {result?.data ? (
        <UserViewStoreProvider key={userId} init={initUserViewState(userId, result.data)}>
          <UserView />
        </UserViewStoreProvider>
      ) : null}
    </>
  );
}
