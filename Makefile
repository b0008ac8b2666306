PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test serve lint bench clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(PY) scripts/run.py

test: $(STAMP)
	scripts/test_services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) scripts/import_cycles.py
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helpdesk} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(PY) -m pytest $(PYTEST_ARGS)

serve: $(STAMP)
	$(PY) scripts/serve.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) scripts/import_cycles.py

bench: $(STAMP)
	$(PY) bench/ingest.py --quick

clean:
	rm -rf var/*.sqlite3* var/broker var/broker-processed var/celerybeat-schedule* var/models staticfiles
