import type { Dialect } from "../load/messages.ts";

/** A chat room (podchat channel) and its members, one socket per member. */
export interface Room {
  name: string;
  /** Position in its load; spreads a room's sockets over instances differently per room. */
  ordinal: number;
  userIds: string[];
}

/** A server under test, started with its rooms in place. */
export interface RunningTarget {
  label: string;
  dialect: Dialect;
  /** Server processes whose CPU and memory are measured (two for the Redis loads). */
  pids: number[];
  /** HTTP ports of those processes, same order. */
  ports: number[];
  /** Socket URL for member `index` of `room` (spread over instances when there are several). */
  url(room: Room, index: number): string;
  /** Inspector URLs of the server processes, when they were started for profiling. */
  inspectorUrls?: string[];
  stop(): Promise<void>;
}

export interface Target {
  label: string;
  start(rooms: Room[]): Promise<RunningTarget>;
}
