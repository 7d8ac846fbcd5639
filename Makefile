# Rapport: `make run` starts the bot, `make test` runs the whole suite.
.DEFAULT_GOAL := run
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup setup-test run test train validate lock clean eval-nlu \
	bench-memory bench-throughput bench-vanilla bench-handoff bench-channels bench-studio \
	eval-conversations drill

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

run: setup
	@$(PY) -m bot run

test: setup-test
	@scripts/test.sh

train: setup
	@$(PY) -c "import asyncio; from bot.engine import training; from bot.settings import Settings; s = Settings.from_env(); asyncio.run(training.train(s.model_dir, log_path=s.logs_dir / 'training.log'))"

validate: setup
	@PYTHONPATH=. .venv-engine/bin/rasa data validate --config config.yml --domain domain.yml --data data

lock:
	@scripts/lock.sh

clean:
	rm -rf var

bench-memory: setup-test
	@$(PY) -m benchmarks.memory

# Whole stack at 50 concurrent customers (throughput, p50/p95/p99, RSS).
bench-throughput: setup
	@$(PY) -m benchmarks.throughput

# The same load against a fresh `rasa init` bot, for comparison.
bench-vanilla: setup
	@$(PY) -m benchmarks.throughput --vanilla

# 200 web chat sessions over WebSockets: the gateway's added latency and capacity.
bench-channels: setup
	@$(PY) -m benchmarks.channels

bench-handoff: setup-test
	@$(PY) -m benchmarks.handoff

# Studio: wording edit to live, flow edit publish to live (train + swap), vs cold and --finetune.
bench-studio: setup
	@$(PY) -m benchmarks.studio

# Held-out intent accuracy / macro-F1 and entity F1 for nlu/.
eval-nlu: setup
	@scripts/eval_nlu.sh

# Scripted customers who type, replayed through the whole stack over REST; one JSON line last.
eval-conversations: setup
	@$(PY) -m benchmarks.eval_conversations $(ARGS)

# Fault drills against the real stack: kill -9 of each process, SQLite locked, 5x overload.
# One JSON line per drill; fails when a message is lost or recorded twice.
drill: setup
	@PYTHONPATH=. $(PY) -m tests.faults.drill $(ARGS)
