import type { InstanceInfo } from "@podchat/protocol";
import { formatRate, formatUptime } from "@/lib/format";

export function InstancesTable({ instances }: { instances: readonly InstanceInfo[] }) {
  if (instances.length === 0) return <p className="muted">No instance has reported yet.</p>;
  return (
    <table aria-label="Instances">
      <thead>
        <tr>
          <th>Node</th>
          <th>Env</th>
          <th>Version</th>
          <th>Uptime</th>
          <th>Connections</th>
          <th>Channels</th>
          <th>Messages/s</th>
        </tr>
      </thead>
      <tbody>
        {instances.map((i) => (
          <tr key={i.node_id}>
            <td>{i.node_id}</td>
            <td>{i.env}</td>
            <td>{i.version}</td>
            <td>{formatUptime(i.uptime_s)}</td>
            <td>{i.connections}</td>
            <td>{i.channels}</td>
            <td>{formatRate(i.messages_per_s)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
