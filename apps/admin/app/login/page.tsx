import { LoginForm } from "./_components/login-form";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { next, expired } = await searchParams;
  return (
    <section className="card" style={{ maxWidth: 380, margin: "4rem auto" }}>
      <h1>Sign in to podchat admin</h1>
      {expired ? (
        <p role="status" className="banner info">
          Your session ended. Sign in again.
        </p>
      ) : null}
      <LoginForm next={next ?? "/"} />
    </section>
  );
}
