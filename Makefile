# optiscape: two commands on a fresh Debian 12 machine with Python 3.11.
#   make run    install the app's dependencies and serve it at http://127.0.0.1:$(PORT)
#   make test   install the test dependencies and headless Chromium, then run the whole suite
# Both are idempotent: a stamp file records each install against pyproject.toml.

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8050
WORKERS ?= 4
BIN    := $(VENV)/bin

.PHONY: run serve test test-fast bench browser-deps font-deps redis-deps clean serve-cluster

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,serve]"
	touch $@ $(VENV)/.run-stamp

run: $(VENV)/.run-stamp
	PORT=$(PORT) $(BIN)/python app.py

# gunicorn.conf.py holds the serving settings (gthread workers, timeouts, recycling) and says why.
serve: $(VENV)/.test-stamp
	$(BIN)/gunicorn --config gunicorn.conf.py app:server --workers $(WORKERS) --bind 127.0.0.1:$(PORT)

# Redis, a Celery worker and two gunicorn instances sharing rooms and computed maps (scripts/serve_cluster.py says
# how); CLUSTER_PORTS (default 8051,8052), WORKERS per instance. Ctrl-C stops everything.
CLUSTER_PORTS ?= 8051,8052
serve-cluster: $(VENV)/.test-stamp redis-deps
	$(BIN)/python scripts/serve_cluster.py --ports $(CLUSTER_PORTS) --workers $(WORKERS)

# Debian's chromium and chromium-driver, only when missing.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
	  echo "chromium and chromedriver present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

# Debian's fonts-noto-cjk (Noto Sans CJK KR: Hangul for the Korean page's browser tests), only when missing.
font-deps:
	@if dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
	  echo "fonts-noto-cjk present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; \
	fi

# Debian's redis-server (the rooms tests start their own on a free port), only when missing.
redis-deps:
	@if command -v redis-server >/dev/null 2>&1; then \
	  echo "redis-server present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
	fi

test: $(VENV)/.test-stamp browser-deps font-deps redis-deps
	$(BIN)/python -m pytest

test-fast: $(VENV)/.test-stamp redis-deps
	$(BIN)/python -m pytest -m "not browser"

# Benchmarks print figures next to their targets and never fail. classroom.py and interaction.py start gunicorn
# themselves (as `make serve` does, on a free port of 127.0.0.1) and stop it at the end; interaction.py
# drives headless Chromium (make browser-deps).
bench: $(VENV)/.test-stamp browser-deps
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/maps.py
	$(BIN)/python benchmarks/maps_callback.py
	$(BIN)/python benchmarks/lbfgs.py --quick
	$(BIN)/python benchmarks/tuning.py
	$(BIN)/python benchmarks/app.py
	$(BIN)/python benchmarks/classroom.py --workers $(WORKERS)
	$(BIN)/python benchmarks/interaction.py --workers $(WORKERS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
