/**
 * Numeric constants of netlink, rtnetlink and ctnetlink, as in the Linux uapi headers
 * (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h,
 * linux/netfilter/nfnetlink_conntrack.h). Only the ones netd uses.
 */

export const NLMSG_HDRLEN = 16;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** In an NLMSG_ERROR: extended-ack TLVs follow the (capped) original header. */
export const NLM_F_ACK_TLVS = 0x200;
/** In an NLMSG_ERROR: the echoed request was capped to its header (NETLINK_CAP_ACK). */
export const NLM_F_CAPPED = 0x100;
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;

export const NLA_F_NESTED = 0x8000;
export const NLA_TYPE_MASK = 0x3fff;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;

export const IFF_UP = 0x1;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_PROTINFO = 12;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_FD = 28;
export const IFLA_EXT_MASK = 29;
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const VETH_INFO_PEER = 1;
export const IFLA_VLAN_ID = 1;
export const IFLA_MACVLAN_MODE = 1;
export const IFLA_IPVLAN_MODE = 1;
export const IFLA_IPVLAN_FLAGS = 2;
export const IFLA_BRPORT_MODE = 4;

export const MACVLAN_MODES: Readonly<Record<string, number>> = { private: 1, vepa: 2, bridge: 4, passthru: 8 };
export const IPVLAN_MODES: Readonly<Record<string, number>> = { l2: 0, l3: 1, l3s: 2 };
/** IPVLAN_F_PRIVATE = 1, IPVLAN_F_VEPA = 2; bridge is no flag. */
export const IPVLAN_FLAGS: Readonly<Record<string, number>> = { bridge: 0, private: 1, vepa: 2 };

export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_FLAGS = 8;
export const IFA_F_NODAD = 0x02;
export const IFA_F_PERMANENT = 0x80;

export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_TABLE = 15;

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_MAIN = 254;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;
export const RTN_UNICAST = 1;

// ctnetlink (NETLINK_NETFILTER)
export const NFNL_SUBSYS_CTNETLINK = 1;
export const IPCTNL_MSG_CT_GET = 1;
export const IPCTNL_MSG_CT_DELETE = 2;
export const CTA_TUPLE_ORIG = 1;
export const CTA_TUPLE_REPLY = 2;
export const CTA_ID = 12;
export const CTA_ZONE = 18;
export const CTA_TUPLE_IP = 1;
export const CTA_TUPLE_PROTO = 2;
export const CTA_TUPLE_ZONE = 3;
export const CTA_IP_V4_SRC = 1;
export const CTA_IP_V4_DST = 2;
export const CTA_IP_V6_SRC = 3;
export const CTA_IP_V6_DST = 4;
export const CTA_PROTO_NUM = 1;
export const CTA_PROTO_SRC_PORT = 2;
export const CTA_PROTO_DST_PORT = 3;
export const IP_PROTOCOLS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, sctp: 132 };
