/** What the CNI verbs need from the daemon. */
import type { Kernel } from "@netd/driverapi";
import type { Controller, KeyedSerializer } from "@netd/libnet-core";
import type { EventBus } from "../api/events.js";

/** The daemon's controller and kernel, plus the CNI layer's own serialisation. */
export interface CniDeps {
  readonly controller: Controller;
  /** Reads the container's namespace for ADD results and CHECK. */
  readonly kernel: Kernel;
  /** Serialises get-or-create of networks ("*"): two first ADDs must not both create one. */
  readonly networkLock: KeyedSerializer;
  /** Serialises the verbs of one container id: an ADD and a DEL of one container never interleave. */
  readonly containerLock: KeyedSerializer;
  readonly events?: EventBus;
  /** The DNS service (absent: none); ADD results name the network's DNS servers. */
  readonly dns?: { servers(networkId: string): readonly string[]; settled(): Promise<void> };
}
