# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-schedules clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## Run web, Celery worker and beat on http://127.0.0.1:8000/ (SQLite, embedded broker, simulated cluster).
run: export DEBUG ?= 1
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py ensure_demo_user
	@echo "Open http://127.0.0.1:8000/  (Ctrl-C stops web, worker and beat)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

## Run the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite and the embedded broker).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The 1M-row benchmark on PostgreSQL: seeds its own databases (BENCH_DATABASE_URL, default
## postgres://postgres@127.0.0.1:5432/tenantmgmt_bench and _10k), runs gunicorn, writes bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## 10,000 schedules due in one minute, 2 workers + beat (needs DATABASE_URL=postgres://... and REDIS_URL).
bench-schedules: $(STAMP)
	$(BIN)/python bench/schedules_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
