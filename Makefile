# Two commands for a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Django 6.1 needs Python 3.12 or newer: take the first one this machine has.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.14 $$(ls -d /root/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9] 2>/dev/null) python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
STAMP := $(VENV)/.installed
RUN_ENV := DEBUG=true HTTPS=false

.PHONY: run test test-fast test-serial browser documents install migrate messages check-messages bench clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (Django 6.1)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) documents

run: $(STAMP) documents
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	@# The task worker (mail, text messages, imports, scheduled jobs) and the scheduler run beside the web server
	@# and stop with it.
	$(RUN_ENV) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	$(RUN_ENV) $(PY) manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite: everything on two workers, then the serial tests: concurrency and the browser tests
# (Debian's chromium is installed when missing).
test: test-fast test-serial

# Everything that can run in parallel.
test-fast: $(STAMP) documents
	$(PY) -m pytest -n 2 --dist loadfile -m "not serial"

# Tests that commit for real, one at a time: concurrent connections and the browser tests.
test-serial: $(STAMP) browser documents
	$(PY) -m pytest -m serial

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

# Every PDF embeds Debian's WenQuanYi Micro Hei (TrueType, Apache-2.0 or GPLv3 with the font exception;
# settings.PDF_FONT); the tests read the PDFs with poppler-utils (pdftotext, pdffonts, pdfimages).
DOCUMENT_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
documents:
	@{ test -f $(DOCUMENT_FONT) && command -v pdftotext >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei poppler-utils >/dev/null; \
	  else echo "PDFs need Debian's fonts-wqy-microhei and poppler-utils: sudo apt-get install fonts-wqy-microhei poppler-utils"; exit 1; fi; }

# Update the Chinese catalogue from the source and compile it; both files are committed. New strings come in
# empty (never a fuzzy guess): translate them, then run it again. Twice in a row changes nothing.
messages: $(STAMP)
	$(RUN_ENV) $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete
	$(RUN_ENV) $(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

# CI: the committed catalogue already holds every string of the source (tests/test_translations.py checks
# that each is translated).
check-messages: messages
	@git diff --exit-code --stat -- locale || { echo "The catalogue is out of date: run make messages, translate, commit."; exit 1; }

# The benchmark (bench/README.md; not part of `make test`): the portal under gunicorn with the production settings
# on a PostgreSQL database seeded by seed_scale (seeded first if empty), every key page beside the framework floor,
# the export and the deadline peak; writes bench/results.md. e.g. `make bench SCALE=0.05 BENCH_OPTIONS=--quick`.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/civpost_bench
SCALE ?= 1
BENCH_OPTIONS ?=
bench: $(STAMP)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py --scale $(SCALE) $(BENCH_OPTIONS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
