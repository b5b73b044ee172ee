import * as native from "@netd/netlink-native";

/**
 * Raises the process's soft open-file limit to its hard limit and returns both. A daemon
 * holds a few fds per sandbox (port reservations or proxy listeners, netlink sockets), so
 * the common soft limit of 1024 would end in EMFILE at a few hundred containers. Call once
 * at daemon start.
 */
export function raiseOpenFileLimit(): { soft: number; hard: number } {
  return native.raiseOpenFileLimit();
}
