{
  "targets": [
    {
      "target_name": "netlink_native",
      "sources": ["native/addon.cc"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall"],
      "libraries": ["-l:libnftables.so.1"]
    }
  ]
}
