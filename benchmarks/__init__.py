"""Benchmarks and evaluations behind the `make bench-*` and `make eval-conversations` targets.

Each runs as `python -m benchmarks.<name>` from the repository root: `memory`, `throughput`,
`channels`, `handoff` (a package: its clients, its scenario, and the stack it starts),
`studio`, and `eval_conversations` with its scripted customers in `conversations/`.
`engine_standin` is the stand-in engine `channels` talks to; `load` is the load generator
of `throughput` and `channels`.
"""
