{
  "targets": [
    {
      "target_name": "netlink_native",
      "sources": ["native/addon.cc", "native/common.cc", "native/netlink.cc", "native/nft.cc", "native/netns.cc", "native/limits.cc"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-l:libnftables.so.1", "-lpthread"]
    }
  ]
}
