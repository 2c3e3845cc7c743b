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
	@# The task worker runs large imports in the background; it stops with the server.
	@$(PY) manage.py db_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## The test suite on SQLite, or on PostgreSQL when DATABASE_URL is set.
test: install
	DJANGO_SETTINGS_MODULE=shouhu.config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

lint: check

bench: install
	$(PY) bench/run.py

schemathesis: install
	bash scripts/schemathesis.sh

messages:
	cd src/shouhu && ../../$(PY) ../../manage.py makemessages --locale en --no-obsolete -v 0

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
