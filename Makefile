# Shouhu — the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= shouhu.config.settings.local

.PHONY: install prepare run dev test check lint bench schemathesis messages clean

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

## Serve the demo on SQLite: migrate, load the demo region once, print the logins; serve with
## gunicorn as production does (DEBUG off: the site's own error pages), with what production's
## timers run beside it. `make dev` serves with Django's auto-reloading server and DEBUG on.
prepare: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo

# The task worker runs large imports in the background; it beats, so /healthz sees it, and takes
# over the task of a worker that died (common.workers). What production's timers run (README,
# step 6) runs here too: every minute the texts go out, the day entering the marriage booking
# window gets its slot rows and lapsed offers pass on; every REMINDER_MINUTES the reminder checks
# raise what is due (the first run at start, so the inbox is not empty).
REMINDER_MINUTES ?= 10
define with_timers
	@$(PY) manage.py run_worker --interval 1 & worker=$$!; \
	  ( minute=0; while true; do \
	      $(PY) manage.py send_outbox -v 0; $(PY) manage.py marriage_tick -v 0; \
	      if [ $$((minute % $(REMINDER_MINUTES))) -eq 0 ]; then $(PY) manage.py run_reminders -v 0; fi; \
	      minute=$$((minute + 1)); sleep 60; done ) & timers=$$!; \
	  trap 'kill $$worker $$timers 2>/dev/null' EXIT INT TERM; \
	  $(1)
endef

run: prepare
	@echo "守护已启动： http://$(HOST):$(PORT)/   （按 Ctrl+C 停止）"
	$(call with_timers,DEBUG=$${DEBUG:-0} $(VENV)/bin/gunicorn shouhu.config.wsgi:application \
	  --bind $(HOST):$(PORT) --workers 2 --threads 4 --backlog 2048 --timeout 120 \
	  --access-logfile - --no-control-socket)

dev: prepare
	@echo "守护（开发模式，自动重新加载）： http://$(HOST):$(PORT)/"
	$(call with_timers,$(PY) manage.py runserver $(HOST):$(PORT))

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
