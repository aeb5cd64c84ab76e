# Two commands for a fresh machine (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# The full ESCO bundle (skills and occupations) for the demo, when it is there; ESCO_BUNDLE=
# (empty) keeps the curated subset only. ESCO_VERSION is the release that folder holds.
ESCO_BUNDLE ?= ../shared/data/esco
ESCO_VERSION ?= 1.1.1

.PHONY: demo test lint bench install

$(INSTALLED): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

install: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_taxonomies
	@if [ -n "$(ESCO_BUNDLE)" ] && [ -f "$(ESCO_BUNDLE)/skills_en.csv" ]; then \
		$(BIN)/python manage.py import_esco "$(ESCO_BUNDLE)" --esco-version "$(ESCO_VERSION)" --no-progress; \
	else echo "No ESCO bundle at '$(ESCO_BUNDLE)': the demo has the curated ESCO subset only."; fi
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_recognition_demo
	@# Skill embeddings for the suggestions take minutes for the full ESCO set: the worker
	@# computes them (once; a later run finds them stored) while the server already answers.
	$(BIN)/python manage.py embed_skills --queue
	@# The worker runs spreadsheet imports in the background; Ctrl-C stops it with the server.
	trap 'kill 0' EXIT; $(BIN)/python manage.py task_worker --no-reload & \
	$(BIN)/python manage.py runserver $(HOST)

test: $(INSTALLED)
	./scripts/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(INSTALLED)
	$(BIN)/python -m bench
