{
  "targets": [
    {
      "target_name": "blocktime_native",
      "sources": [
        "src/capture/native/addon.c",
        "src/capture/native/session.c",
        "src/capture/native/ring.c",
        "src/capture/native/mutex_design.c",
        "src/capture/native/atomic_design.c",
        "src/capture/native/truth.c"
      ],
      "cflags!": ["-O3"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-pthread"],
      "cflags_c": ["-std=gnu11"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources!": ["<@(_sources)"] }]
      ]
    }
  ]
}
