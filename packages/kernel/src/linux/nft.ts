/**
 * nftables through libnftables in process, restricted to netd's own tables: every method
 * refuses a table whose name does not start with "netd". Written in text syntax, read as
 * JSON (nft 1.0.6's JSON input has bugs, stack.md §4).
 */
import { isNftText, type NftApi, type NftTableRef, type NftText } from "@netd/driverapi";
import * as native from "@netd/netlink-native";
import { NETLINK_NETFILTER } from "@netd/netlink-native";
import { check, type LinuxContext } from "./context.js";
import { errnoFromText, kernelError } from "./errors.js";
import * as c from "./rtnetlink/constants.js";
import { parseAttrs } from "./rtnetlink/decode.js";
import { message } from "./rtnetlink/encode.js";
import { nfgenmsg } from "./rtnetlink/messages.js";
import { ElementFastPath, type ElementChangeText } from "./nft-elements/fast-path.js";
import { assertNetns, isHostPath } from "./socket-cache.js";
import { validateNetnsPath } from "./validate.js";

const FAMILIES = new Set(["inet", "ip", "ip6"]);

/** Checks that `t` is one of netd's tables; returns its "family name" text. */
export function tableText(t: NftTableRef): string {
  if (!t || !FAMILIES.has(t.family) || typeof t.name !== "string" || !/^netd[A-Za-z0-9_-]{0,60}$/.test(t.name)) {
    throw kernelError("INVALID_NFT_TABLE", `nft table ${JSON.stringify(t)} is not one of netd's tables`, "use family inet, ip or ip6 and a name starting with 'netd' (letters, digits, '_', '-')", { value: t });
  }
  return `${t.family} ${t.name}`;
}

function setName(name: string): string {
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
    throw kernelError("INVALID_NFT_TABLE", `nft set name ${JSON.stringify(name)} is not valid`, "use letters, digits and '_', starting with a letter");
  }
  return name;
}

function text(value: NftText, what: string): string {
  if (!isNftText(value)) throw kernelError("INVALID_NFT_TEXT", `${what} was not built with the nft template`, "build it with nft`...` from @netd/driverapi");
  return value.text;
}

/** The atomic replace script: works whether or not the table exists. */
export function replaceScript(t: NftTableRef, body: NftText): string {
  const tt = tableText(t);
  return `add table ${tt}\ndelete table ${tt}\ntable ${tt} {\n${text(body, "table body")}\n}\n`;
}

/** The first "Error: ..." line of libnftables' error output. */
function firstError(err: string): string {
  const line = err.split("\n").find((l) => l.includes("Error:")) ?? err.split("\n")[0] ?? "";
  return line.slice(line.indexOf("Error:") >= 0 ? line.indexOf("Error:") + 7 : 0).trim();
}

/** NFT_MSG_GETGEN: the ruleset generation, answered with one NFT_MSG_NEWGEN message. */
export function getGenRequest(): Buffer {
  return message((c.NFNL_SUBSYS_NFTABLES << 8) | c.NFT_MSG_GETGEN, c.NLM_F_REQUEST | c.NLM_F_ACK, nfgenmsg(c.AF_UNSPEC), []);
}

/** NFTA_GEN_ID of a NEWGEN payload (after its nfgenmsg), or null. */
export function genIdOf(payload: Buffer): number | null {
  const id = parseAttrs(payload.subarray(4)).get(c.NFTA_GEN_ID);
  return id && id.length >= 4 ? id.readUInt32BE(0) : null;
}

/** The Linux implementation of {@link NftApi}. */
export function createNft(ctx?: LinuxContext): NftApi {
  const fast = ctx ? new ElementFastPath(ctx.sockets) : null;
  /**
   * Per namespace a foreignChanges() watcher reads: the generation after the last commit
   * accounted for, and the count of commits not known to be this Kernel's.
   */
  const watched = new Map<string, { known: number; foreign: number }>();

  async function readGeneration(netns: string): Promise<number> {
    const sock = await ctx!.sockets.get(netns, NETLINK_NETFILTER);
    const [reply] = await sock.request([getGenRequest()]);
    check(reply!, { op: "read nft generation", names: [], netns });
    const msg = reply!.messages.find((m) => (m.type & 0xff) === c.NFT_MSG_NEWGEN);
    const id = msg ? genIdOf(msg.payload) : null;
    if (id === null) throw kernelError("NFT_ERROR", `the kernel sent no nftables generation for ${netns}`, undefined, { op: "read nft generation", netns });
    return id;
  }

  /**
   * After one of this Kernel's commits in a watched namespace: when the generation moved by
   * exactly one since the last accounted one, that step was ours. Anything else (another
   * commit in between, two of ours in flight) stays unaccounted and the watcher looks.
   */
  async function ownCommit(netns: string): Promise<void> {
    const st = watched.get(netns);
    if (st === undefined) return;
    const g = await readGeneration(netns).catch(() => undefined);
    if (g !== undefined && g === ((st.known + 1) >>> 0)) st.known = g;
  }

  async function run(netns: string, script: string, op: string, names: string[], json = false): Promise<native.NftRunResult> {
    // Any script may change set definitions the fast path has read.
    if (!json) fast?.invalidate(netns);
    await assertNetns(netns);
    return native.nftRun(script, { netns: isHostPath(netns) ? null : netns, json });
  }

  function fail(r: native.NftRunResult, op: string, names: string[], netns: string, script: string) {
    const kernelMessage = firstError(r.err);
    const errno = errnoFromText(kernelMessage);
    return kernelError("NFT_ERROR", `failed to ${op} ${names[0] ?? ""} in ${netns}: ${kernelMessage}`, undefined, { op, names, netns, errno: errno ?? null, kernelMessage: r.err.trim(), script });
  }

  return {
    async replaceTable(netns, table, body) {
      validateNetnsPath(netns);
      const script = replaceScript(table, body);
      const r = await run(netns, script, "replace nft table", [tableText(table)]);
      if (r.rc !== 0) throw fail(r, "replace nft table", [tableText(table)], netns, script);
      await ownCommit(netns);
    },

    async deleteTable(netns, table) {
      validateNetnsPath(netns);
      const tt = tableText(table);
      // "add" first makes the delete succeed when the table is missing, in one transaction.
      const script = `add table ${tt}\ndelete table ${tt}\n`;
      const r = await run(netns, script, "delete nft table", [tt]);
      if (r.rc !== 0) throw fail(r, "delete nft table", [tt], netns, script);
      await ownCommit(netns);
    },

    async updateElements(netns, changes) {
      validateNetnsPath(netns);
      const lines: string[] = [];
      const checked: ElementChangeText[] = [];
      for (const ch of changes) {
        if (ch.op !== "add" && ch.op !== "delete") throw kernelError("INVALID_NFT_TEXT", `element change op ${JSON.stringify(ch.op)} is not add or delete`);
        if (ch.elements.length === 0) continue;
        const texts = ch.elements.map((e) => text(e, "element"));
        lines.push(`${ch.op} element ${tableText(ch.table)} ${setName(ch.set)} { ${texts.join(", ")} }`);
        checked.push({ op: ch.op, table: ch.table, set: ch.set, elements: texts });
      }
      if (lines.length === 0) return;
      if (fast && process.env["NETD_NFT_FAST_ELEMENTS"] !== "0" && (await fast.apply(netns, checked))) return ownCommit(netns);
      const script = `${lines.join("\n")}\n`;
      const names = changes.map((ch) => `${tableText(ch.table)} ${ch.set}`);
      const r = await run(netns, script, "update nft elements", names);
      if (r.rc !== 0) throw fail(r, "update nft elements of", names, netns, script);
      await ownCommit(netns);
    },

    async listTable(netns, table) {
      validateNetnsPath(netns);
      const tt = tableText(table);
      const r = await run(netns, `list table ${tt}`, "list nft table", [tt], true);
      if (r.rc !== 0) {
        if (r.err.includes("No such file or directory")) return null;
        throw fail(r, "list nft table", [tt], netns, `list table ${tt}`);
      }
      return JSON.parse(r.out) as unknown;
    },

    ...(ctx
      ? {
          // Over nfnetlink, not libnftables: one small request, cheap enough to poll.
          async generation(netns: string): Promise<number> {
            validateNetnsPath(netns);
            return readGeneration(netns);
          },
          async foreignChanges(netns: string): Promise<number> {
            validateNetnsPath(netns);
            const g = await readGeneration(netns);
            const st = watched.get(netns);
            if (st === undefined) {
              watched.set(netns, { known: g, foreign: 0 });
              return 0;
            }
            if (g !== st.known) {
              st.foreign++;
              st.known = g;
            }
            return st.foreign;
          },
        }
      : {}),
  };
}
