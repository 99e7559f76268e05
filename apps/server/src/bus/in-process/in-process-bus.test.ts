import { describeBus } from "../bus.conformance.ts";
import { createInProcessBus } from "./in-process-bus.ts";

// One process is one node: the cross-node tests need `openPeer` and are not defined here.
describeBus("in-process", {
  async open() {
    return createInProcessBus();
  },
});
