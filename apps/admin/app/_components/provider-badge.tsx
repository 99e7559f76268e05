export function ProviderBadge({ provider }: { provider: string }) {
  return <span className={`badge ${provider}`}>{provider}</span>;
}
