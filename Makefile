# Shouhu — the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= shouhu.config.settings.local

.PHONY: install run test check lint bench schemathesis messages clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,postgres]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

src/shouhu/locale/en/LC_MESSAGES/django.mo: src/shouhu/locale/en/LC_MESSAGES/django.po $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "msgfmt 未安装：请先安装 gettext（apt-get install gettext）"; exit 1; }
	cd src/shouhu && ../../$(PY) ../../manage.py compilemessages --locale en -v 0

install: $(VENV)/.installed node_modules/.installed src/shouhu/locale/en/LC_MESSAGES/django.mo

## Serve the demo on SQLite: migrate, load the demo region once, print the logins.
run: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo
	@echo "守护已启动： http://$(HOST):$(PORT)/   （按 Ctrl+C 停止）"
	@# The task worker runs large imports in the background; it stops with the server. It beats,
	@# so /healthz sees it, and takes over the task of a worker that died (common.workers).
	@# What a server's cron runs (README, step 6) runs here every minute: texts go out, the day that
	@# enters the marriage booking window gets its slot rows, lapsed offers pass on.
	@$(PY) manage.py run_worker --interval 1 & worker=$$!; \
	  ( while sleep 60; do $(PY) manage.py send_outbox -v 0; $(PY) manage.py marriage_tick -v 0; done ) & ticks=$$!; \
	  trap 'kill $$worker $$ticks 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## The test suite on SQLite, or on PostgreSQL when DATABASE_URL is set, one worker per CPU
## (pytest-xdist; PYTEST_ARGS= runs it in one process).
PYTEST_ARGS ?= -n auto
test: install
	DJANGO_SETTINGS_MODULE=shouhu.config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

lint: check

## Benchmarks on a throwaway SQLite database; then the PostgreSQL-only ones (screening and
## booking over HTTP) on a throwaway PostgreSQL database when one answers at BENCH_PG_URL.
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/shouhu_bench
bench: install
	$(PY) bench/run.py
	@if [ -n "$$BENCH_DATABASE_URL" ]; then exit 0; fi; \
	if $(PY) -c "import psycopg, sys, urllib.parse as u; url = u.urlsplit(sys.argv[1]); \
	    psycopg.connect(u.urlunsplit(url._replace(path='/postgres')), connect_timeout=3).close()" \
	    "$(BENCH_PG_URL)" 2>/dev/null; then \
	  BENCH_DATABASE_URL=$(BENCH_PG_URL) $(PY) bench/run.py screening booking; \
	else echo "PostgreSQL not reachable at $(BENCH_PG_URL): the screening and booking benchmarks were skipped"; fi

schemathesis: install
	bash scripts/schemathesis.sh

messages:
	cd src/shouhu && ../../$(PY) ../../manage.py makemessages --locale en --no-obsolete -v 0

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
