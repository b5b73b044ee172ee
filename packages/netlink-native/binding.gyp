{
  "targets": [
    {
      "target_name": "netlink_native",
      "sources": [
        "native/addon.cc",
        "native/common.cc",
        "native/netlink.cc",
        "native/nft.cc",
        "native/netns.cc",
        "native/limits.cc",
        "native/fdpass.cc"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-O2",
        "-Wall"
      ],
      "cflags_cc!": [
        "-fno-exceptions"
      ],
      "libraries": [
        "-l:libnftables.so.1",
        "-lpthread"
      ]
    },
    {
      "target_name": "netd-proxy",
      "type": "executable",
      "sources": [
        "proxy/main.c",
        "proxy/control.c",
        "proxy/binding.c",
        "proxy/tcp.c",
        "proxy/udp.c"
      ],
      "cflags": [
        "-std=gnu11",
        "-O2",
        "-Wall",
        "-Wextra"
      ],
      "cflags!": [
        "-fno-exceptions"
      ],
      "ldflags": [
        "-static"
      ],
      "libraries": []
    }
  ]
}
