# Rapport: `make run` starts the bot, `make test` runs the whole suite.
.DEFAULT_GOAL := run
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup setup-test run test test-runtime test-engine train validate lock clean bench-memory

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

run: setup
	@$(PY) -m bot run

test: setup-test
	@scripts/test.sh

train: setup
	@$(PY) -c "import asyncio; from bot import training; from bot.settings import Settings; asyncio.run(training.train(Settings.from_env().model_dir))"

validate: setup
	@PYTHONPATH=. .venv-engine/bin/rasa data validate --config config.yml --domain domain.yml --data data

lock:
	@scripts/lock.sh

clean:
	rm -rf var

bench-memory: setup-test
	@$(PY) -m benchmarks.memory
