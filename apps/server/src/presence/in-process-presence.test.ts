import { createInProcessPresence } from "./in-process-presence.ts";
import { describePresence } from "./presence.conformance.ts";

describePresence("in-process", { open: async () => createInProcessPresence() });
