# The benchmarks are scripts, not tests: keep pytest (and --doctest-modules) out of this folder.
collect_ignore_glob = ["*"]
