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

/**
 * Makes every thread of the process share glibc's main malloc arena. libuv's pool threads
 * run libnftables and netlink calls; with an arena each, the native heap held ~60 MB more at
 * 1,000 sandboxes (fragmented copies of the nft ruleset cache). Call once, first thing at
 * daemon start, before any pool work; returns false when the C library ignored it.
 */
export function shareMallocArena(): boolean {
  return native.limitMallocArenas(1);
}

/**
 * Returns the native heap's free pages to the system (glibc malloc_trim(0) over every arena).
 * The daemon calls it when it goes idle after a burst of changes: libnftables and V8's
 * helper threads leave freed, fragmented arenas behind that glibc otherwise keeps resident.
 */
export function trimMalloc(): boolean {
  return native.trimMalloc();
}
