/** nf_tables netlink numbers used by the element fast path (linux/netfilter/nf_tables.h, nfnetlink.h). */
export const NFNL_MSG_BATCH_BEGIN = 0x10;
export const NFNL_MSG_BATCH_END = 0x11;
export const NFT_MSG_GETSET = 10;
export const NFT_MSG_NEWSET = 9;
export const NFT_MSG_NEWSETELEM = 12;
export const NFT_MSG_DELSETELEM = 14;

export const NFTA_SET_TABLE = 1;
export const NFTA_SET_NAME = 2;
export const NFTA_SET_FLAGS = 3;
export const NFTA_SET_KEY_TYPE = 4;
export const NFTA_SET_KEY_LEN = 5;
export const NFTA_SET_DATA_TYPE = 6;
export const NFTA_SET_DATA_LEN = 7;

export const NFTA_SET_ELEM_LIST_TABLE = 1;
export const NFTA_SET_ELEM_LIST_SET = 2;
export const NFTA_SET_ELEM_LIST_ELEMENTS = 3;
export const NFTA_LIST_ELEM = 1;
export const NFTA_SET_ELEM_KEY = 1;
export const NFTA_SET_ELEM_DATA = 2;
export const NFTA_DATA_VALUE = 1;
export const NFTA_DATA_VERDICT = 2;
export const NFTA_VERDICT_CODE = 1;
export const NFTA_VERDICT_CHAIN = 2;

/** Set flags the fast path does not encode (ranges, timeouts, expressions): libnftables handles those. */
export const NFT_SET_ANONYMOUS = 0x1;
export const NFT_SET_INTERVAL = 0x4;
export const NFT_SET_MAP = 0x8;
export const NFT_SET_TIMEOUT = 0x10;
export const NFT_SET_EVAL = 0x20;
export const NFT_SET_OBJECT = 0x40;
export const NFT_SET_EXPR = 0x100;

/** NFTA_SET_DATA_TYPE of a verdict map. */
export const NFT_DATA_VERDICT = 0xffffff00;
export const NF_DROP = 0;
export const NF_ACCEPT = 1;
export const NFT_CONTINUE = -1;
export const NFT_RETURN = -5;
export const NFT_JUMP = -3;
export const NFT_GOTO = -4;

/** nft's datatype ids (nftables include/datatype.h); concatenations pack them 6 bits each. */
export const TYPE_BITS = 6;
export const TYPE_IPADDR = 7;
export const TYPE_IP6ADDR = 8;
export const TYPE_INET_PROTOCOL = 12;
export const TYPE_INET_SERVICE = 13;
export const TYPE_IFNAME = 41;

/** NFPROTO_* of a table family. */
export const NFPROTO: Readonly<Record<string, number>> = { inet: 1, ip: 2, ip6: 10 };
