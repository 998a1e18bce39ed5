# Kvote: `make demo` runs the portal, `make test` runs every check. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails lead here (settings.KVOTE_BASE_URL): the address `make demo`/`make run` serve
# (127.0.0.1 when it listens on every address). Set it yourself for a public name or a proxy.
KVOTE_BASE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
export KVOTE_BASE_URL

.PHONY: demo install static test lint typecheck pytest e2e messages theme run worker clean bench

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end files come from npm (pinned in package-lock.json) and are served as static files.
kvote/static/vendor/.copied: node_modules/.package-lock.json
	mkdir -p kvote/static/vendor
	cp node_modules/@digdir/designsystemet-css/dist/src/index.css kvote/static/vendor/designsystemet.css
	cp node_modules/htmx.org/dist/htmx.min.js kvote/static/vendor/htmx.min.js
	touch $@

install: $(VENV)/.synced kvote/static/vendor/.copied

static: kvote/static/vendor/.copied

# The portal and one background worker (emails); Ctrl-C (or the portal stopping) stops both.
demo: install
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	@echo
	@$(MANAGE) shell --no-imports -c "from django.conf import settings as s; print('Emails: ' + (f'written as files to {s.EMAIL_FILE_PATH}/ by the background worker' if s.EMAIL_BACKEND.endswith('filebased.EmailBackend') else f'sent by the background worker through {s.EMAIL_BACKEND}'))"
	@$(MANAGE) shell --no-imports -c "from django.conf import settings as s; print('Orders to the supplier: ' + (f'PEPPOL XML files in {s.KVOTE_OUTBOX_DIR}/' if s.KVOTE_DELIVERY_TRANSPORT == 'folder' else f'POSTed to {s.KVOTE_DELIVERY_URL}') + ', by the delivery worker')"
	@echo "Links in emails lead to $(KVOTE_BASE_URL)/"
	@$(MANAGE) shell --no-imports -c "from kvote.demo.sample_import import sample_path; print(f'A catalogue file to try the import with: {sample_path()} (README: Trying the catalogue import)')"
	@echo "Kvote runs at http://$(HOST):$(PORT)/  (Ctrl-C stops it and the workers)"
	@$(MANAGE) run_worker & worker=$$!; \
	$(MANAGE) deliver_orders & deliverer=$$!; \
	trap 'kill $$worker $$deliverer 2>/dev/null; wait $$worker $$deliverer 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

SCALE ?= S
# Issue 8's benchmark (PostgreSQL; DATABASE_URL names the main database). See bench/README.md.
bench: install
	$(PY) -m bench.run --scale $(SCALE)

run: install
	$(MANAGE) runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # the apps' floor plan and no import cycles (pyproject.toml)

typecheck: install
	$(VENV)/bin/mypy kvote tests bench

pytest: install
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

e2e: install
	$(VENV)/bin/pytest tests/e2e $(PYTEST_ARGS)

# Translations: the English source strings, translated to Norwegian Bokmål in kvote/locale.
# Needs GNU gettext (apt-get install gettext). The compiled .mo is committed.
messages: install
	cd kvote && ../$(PY) ../manage.py makemessages -l nb --no-obsolete --no-location
	cd kvote && ../$(PY) ../manage.py compilemessages -l nb

# The Designsystemet theme in the supplier's colours (design/designsystemet.config.json).
theme: node_modules/.package-lock.json
	npx @digdir/designsystemet tokens create --config design/designsystemet.config.json
	npx @digdir/designsystemet tokens build -t design/tokens -o design/build --config design/designsystemet.config.json
	cp design/build/kvote.css kvote/static/kvote/theme.css

clean:
	rm -rf $(VENV) .tools node_modules kvote/static/vendor staticfiles
