# EIS Toolkit — developer and CI entry points. `make help` lists the targets.
#
# Setup (system packages, .venv, Python dependencies) runs before every target that needs it and
# does nothing, silently, when everything is already in place: pip runs again only when setup.cfg
# or pyproject.toml change (stamp: .venv/.installed).
#
# Variables, set on the command line (`make test PYTEST_ARGS='-k numbers -x'`):
#   PYTEST_ARGS   extra pytest arguments, for every database run
#   TESTS         test paths (default: testpaths from setup.cfg)
#   DATABASES     which runs `make test` does, in order (default: sqlite postgresql)
#   COVERAGE      yes|all|branch|no: line coverage in the SQLite run (yes, the default: Python's
#                 sys.monitoring, nearly free), in both runs (all), branch coverage in the SQLite
#                 run (branch: the C tracer, up to twice the CPU), or none
#   WORKERS       pytest-xdist workers per database run: a number, auto, or 0 for none (default: 2)
#   HOST, PORT    where `make run` serves (default: 127.0.0.1, 5000)
#   PYTHON        the Python (3.12 or newer) that creates .venv (default: the first of python3.12,
#                 python3.13, pyenv's 3.12/3.13 versions, python3)
#   APT_PACKAGES  Debian packages to ensure (empty: skip the system check)
# and, from the environment, EIS_TEST_DATABASE_URL: a PostgreSQL database of your own for the
# PostgreSQL run (then no throw-away cluster is started).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV = .venv
BUILD = build
PYTHON =
PYTEST_ARGS =
TESTS =
DATABASES = sqlite postgresql
COVERAGE = yes
WORKERS = 2
HOST = 127.0.0.1
PORT = 5000
# WeasyPrint (pango, harfbuzz subset, fonts), browser tests (chromium), the PostgreSQL test
# run (postgresql), PDF-to-PNG checks (poppler-utils), the load generator of make bench (wrk), a real
# spreadsheet program for the workbook tests (libreoffice-calc-nogui, headless).
APT_PACKAGES = libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	fonts-noto-core chromium postgresql poppler-utils wrk libreoffice-calc-nogui

VENV_PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PROJECT_FILES := $(wildcard setup.cfg pyproject.toml setup.py)
PIP := $(VENV_PY) -m pip install -q --disable-pip-version-check --no-input
PIP_LOG := $(BUILD)/pip.log

# Recreate the venv when its interpreter is gone or older than 3.12 (e.g. a venv from another
# machine, or one made with 3.11, whose garbage collector crashes on this app's larger pages).
ifneq ($(shell $(VENV_PY) -c 'import sys; print(sys.version_info[:2] >= (3, 12))' 2>/dev/null),True)
VENV_FORCE := FORCE
endif

# Translations (docs/languages.md): each catalogue's .mo is compiled from its .po when the .po
# is newer, so a second `make setup` compiles nothing. The .mo files are build artefacts (git ignores them).
TRANSLATIONS = eis_toolkit/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
POT = $(BUILD)/messages.pot

.PHONY: help setup system venv translations messages run test bench clean distclean FORCE

help:
	@echo "make run        set up, create the schema, load the demo, serve on http://$(HOST):$(PORT)/"
	echo "make test       set up, run pytest on SQLite (with browser tests) then on PostgreSQL"
	echo "                (throw-away cluster, or \$$EIS_TEST_DATABASE_URL), print a summary"
	echo "make bench      set up, run python -m bench (when bench/ exists)"
	echo "make setup      system packages, $(VENV), Python dependencies and compiled translations only"
	echo "make messages   extract the marked strings and update the it/da/de catalogues (then translate)"
	echo "make translations  compile the catalogues that changed (part of setup)"
	echo "make clean      remove build artefacts; make distclean also removes $(VENV)"
	echo "variables: PYTEST_ARGS='-k foo -x'  TESTS=tests/test_x.py  DATABASES=sqlite  COVERAGE=no|all|branch  WORKERS=2"

setup: system $(INSTALLED) translations

venv: $(INSTALLED)

translations: $(MO_FILES)
	@:

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(INSTALLED)
	@$(VENV)/bin/pybabel -q compile -i $< -o $@ -l $*

# Extract every marked string of the Python code and the templates (babel.cfg), then merge the
# new and changed ones into each catalogue; translate the empty msgstr, then `make translations`.
messages: $(INSTALLED)
	@mkdir -p $(BUILD)
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
	  --no-location --sort-output --project "EIS Toolkit" -o $(POT) .
	$(VENV)/bin/pybabel -q update -i $(POT) -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete
	echo "Updated the catalogues in $(TRANSLATIONS) from $(POT): translate the empty msgstr, then make translations"

# Debian packages: checked with dpkg-query; apt-get runs only when something is missing.
system:
	@missing=""
	if [ -z "$(strip $(APT_PACKAGES))" ]; then exit 0; fi
	if ! command -v dpkg-query >/dev/null 2>&1; then
	  echo "note: no dpkg here, cannot check the system packages: $(strip $(APT_PACKAGES))" >&2
	  exit 0
	fi
	for p in $(APT_PACKAGES); do
	  dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null | grep -qx installed || missing="$$missing $$p"
	done
	[ -n "$$missing" ] || exit 0
	if [ "$$(id -u)" = 0 ]; then sudo=""
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"
	else
	  echo "Missing system packages:$$missing" >&2
	  echo "Install them as root, then run make again:" >&2
	  echo "  apt-get update && apt-get install -y --no-install-recommends$$missing" >&2
	  exit 1
	fi
	mkdir -p $(BUILD)
	log=$(BUILD)/apt.log
	echo "Installing system packages:$$missing (log: $$log)"
	if ! { $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q \
	       && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; } >"$$log" 2>&1; then
	  tail -n 30 "$$log" >&2
	  echo "apt-get failed; see $$log" >&2
	  exit 1
	fi

$(VENV)/pyvenv.cfg: $(VENV_FORCE)
	@py=""
	pyenv_root=$${PYENV_ROOT:-$$HOME/.pyenv}
	for c in $(PYTHON) python3.12 python3.13 $$(ls -d "$$pyenv_root"/versions/3.12*/bin/python3.12 "$$pyenv_root"/versions/3.13*/bin/python3.13 2>/dev/null) python3; do
	  if "$$c" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' >/dev/null 2>&1; then py=$$c; break; fi
	done
	if [ -z "$$py" ]; then
	  echo "No Python 3.12 or newer found (Python 3.11 crashes in its garbage collector on this app's larger pages)." >&2
	  echo "Install one, then run make again, for example:" >&2
	  echo "  pyenv install 3.12        (https://github.com/pyenv/pyenv), or" >&2
	  echo "  apt-get install python3.12-venv   (Debian 13 / Ubuntu 24.04 and newer), or" >&2
	  echo "  make PYTHON=/path/to/python3.12 ..." >&2
	  exit 1
	fi
	mkdir -p $(BUILD)
	echo "Creating $(VENV) with $$("$$py" -c 'import sys; print(sys.executable)') (log: $(PIP_LOG))"
	"$$py" -m venv --clear $(VENV)
	# The pip that venv brings can be old and noisy: bring it up to date first.
	if ! $(PIP) --upgrade pip >$(PIP_LOG) 2>&1; then
	  tail -n 30 $(PIP_LOG) >&2
	  exit 1
	fi

$(INSTALLED): $(VENV)/pyvenv.cfg $(PROJECT_FILES)
	@mkdir -p $(BUILD)
	echo "Installing eis_toolkit and its test dependencies into $(VENV) (log: $(PIP_LOG))"
	if ! $(PIP) -e '.[test]' >>$(PIP_LOG) 2>&1; then
	  tail -n 30 $(PIP_LOG) >&2
	  echo "pip install failed; see $(PIP_LOG)" >&2
	  exit 1
	fi
	touch $@

run: setup
	@$(VENV)/bin/eis init-db
	$(VENV)/bin/eis demo
	exec $(VENV)/bin/flask --app eis_toolkit run --host $(HOST) --port $(PORT)

# Two pytest runs, each with a JUnit report in $(BUILD)/reports/:
#   sqlite      the default database, all tests (browser tests run here only), with coverage
#   postgresql  EIS_TEST_DATABASE_URL from the environment, else a throw-away cluster that is
#               always stopped and removed (trap), with -m "not browser" and only the tests that
#               use the database (--database-tests-only, tests/conftest.py: the others run the
#               same code on both; their count and ids in $(BUILD)/reports/postgresql.left)
# then coverage over both runs and a summary; the exit code is non-zero if any run failed.
test: setup
	@reports=$(BUILD)/reports
	mkdir -p "$$reports"
	rm -f "$$reports"/*.xml "$$reports"/*.rc "$$reports"/*.note "$$reports"/*.url "$$reports"/*.log "$$reports"/*.left \
	  $(BUILD)/.coverage $(BUILD)/.coverage.*
	# One PDF cache for every worker of both runs, as app servers share one (tests/conftest.py):
	# a report with the same content is rendered once per make test, not once per worker and run.
	export EIS_TEST_REPORT_CACHE="$(abspath $(BUILD))/test-report-cache"
	rm -rf "$$EIS_TEST_REPORT_CACHE"
	export COVERAGE_FILE="$(abspath $(BUILD))/.coverage"
	# Some containers set PYTHONDONTWRITEBYTECODE: then every worker and subprocess compiles
	# eis_toolkit again and pytest rewrites every test module again (about 7 s of CPU per worker).
	unset PYTHONDONTWRITEBYTECODE
	# Line coverage through sys.monitoring costs little; branch coverage needs the C tracer, which
	# costs up to twice the CPU of a run (docs/developing.md, Where the time goes).
	sqlite_cov=() pg_cov=()
	export COVERAGE_CORE=sysmon
	if [ "$(COVERAGE)" != no ]; then sqlite_cov=(--cov --cov-append --cov-report=); fi
	if [ "$(COVERAGE)" = all ]; then pg_cov=("$${sqlite_cov[@]}"); fi
	if [ "$(COVERAGE)" = branch ]; then export COVERAGE_CORE=ctrace; sqlite_cov+=(--cov-branch); fi
	# pytest-xdist: each worker has its own database (tests/conftest.py), app, server and browser.
	workers=()
	if [ "$(WORKERS)" != 0 ]; then workers=(-n "$(WORKERS)" --dist worksteal); fi
	cluster="" cluster_pid=""
	stop_cluster() {
	  if [ -n "$$cluster_pid" ]; then wait "$$cluster_pid" 2>/dev/null || true; cluster_pid=""; fi
	  if [ -n "$$cluster" ]; then
	    .ci/pg-cluster stop "$$cluster" || echo "warning: could not remove the cluster in $$cluster" >&2
	    cluster=""
	  fi
	}
	trap stop_cluster EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# The throw-away PostgreSQL cluster starts in the background while the SQLite run goes on.
	if [[ " $(DATABASES) " == *" postgresql "* ]] && [ -z "$${EIS_TEST_DATABASE_URL:-}" ]; then
	  cluster=$$(mktemp -d /tmp/eis-pg.XXXXXX)
	  chmod 755 "$$cluster"
	  .ci/pg-cluster start "$$cluster" >"$$reports/postgresql.url" 2>"$$reports/pg-cluster.log" &
	  cluster_pid=$$!
	fi
	run_pytest() {  # NAME PYTEST-ARGS...: run pytest, keep its exit code in $$reports/NAME.rc
	  local name=$$1 rc=0
	  shift
	  echo
	  echo "================ pytest on $$name ================"
	  $(VENV_PY) -m pytest "$${workers[@]}" --junitxml="$$reports/$$name.xml" "$$@" $(TESTS) $(PYTEST_ARGS) || rc=$$?
	  echo "$$rc" >"$$reports/$$name.rc"
	}
	for db in $(DATABASES); do
	  case $$db in
	    sqlite)
	      ( unset EIS_TEST_DATABASE_URL; run_pytest sqlite "$${sqlite_cov[@]}" ) ;;
	    postgresql)
	      url="$${EIS_TEST_DATABASE_URL:-}"
	      if [ -n "$$url" ]; then
	        echo "postgresql: using EIS_TEST_DATABASE_URL from the environment" >"$$reports/postgresql.note"
	      else
	        if ! wait "$$cluster_pid"; then
	          cat "$$reports/pg-cluster.log" >&2
	          echo "cluster" >"$$reports/postgresql.rc"
	          cluster_pid=""
	          stop_cluster
	          continue
	        fi
	        cluster_pid=""
	        url=$$(cat "$$reports/postgresql.url")
	        echo "postgresql: throw-away cluster at $$url" >"$$reports/postgresql.note"
	      fi
	      EIS_TEST_DATABASE_URL="$$url" run_pytest postgresql "$${pg_cov[@]}" -m "not browser" \
	        --database-tests-only="$$reports/postgresql.left"
	      stop_cluster ;;
	    *)
	      echo "unknown database '$$db' in DATABASES (use sqlite and/or postgresql)" >&2
	      echo "unknown" >"$$reports/$$db.rc" ;;
	  esac
	done
	covered=""
	if [ "$(COVERAGE)" != no ] && [ -f "$$COVERAGE_FILE" ]; then
	  echo
	  echo "================ coverage ================"
	  $(VENV)/bin/coverage report || true
	  $(VENV)/bin/coverage html -q -d $(BUILD)/htmlcov || true
	  covered=$$($(VENV)/bin/coverage report --format=total --precision=1 2>/dev/null || true)
	fi
	COVERED="$$covered" HTMLCOV="$(BUILD)/htmlcov/index.html" $(VENV_PY) -c "$$SUMMARY_PY" "$$reports" $(DATABASES)

# The summary printed by `make test` (exported: .ONESHELL strips the indentation of recipe lines).
define SUMMARY_PY
"""Summarise the JUnit reports and exit codes of the runs; exit 1 if any run failed."""
import os
import sys
import xml.etree.ElementTree as ET

REASONS = {1: "tests failed", 2: "interrupted or errors during collection",
           3: "pytest internal error", 4: "pytest usage error", 5: "no tests collected"}
reports, dbs = sys.argv[1], sys.argv[2:]
total = {"passed": 0, "failed": 0, "skipped": 0}
out, problems = [], []
for db in dbs:
    try:
        with open(os.path.join(reports, db + ".rc")) as f:
            rc = f.read().strip()
    except OSError:
        rc = "missing"
    if rc == "cluster":
        out.append(db + ": not run: the throw-away PostgreSQL cluster did not start")
        problems.append(db + ": cluster did not start")
        continue
    if rc in ("unknown", "missing"):
        out.append(db + ": not run")
        problems.append(db + ": not run")
        continue
    rc = int(rc)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    try:
        root = ET.parse(os.path.join(reports, db + ".xml")).getroot()
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        for suite in suites:
            for key in counts:
                counts[key] += int(suite.get(key, 0))
            seconds += float(suite.get("time", 0))
        have_report = True
    except (OSError, ET.ParseError):
        have_report = False
    failed = counts["failures"] + counts["errors"]
    passed = counts["tests"] - failed - counts["skipped"]
    for key, n in (("passed", passed), ("failed", failed), ("skipped", counts["skipped"])):
        total[key] += n
    out.append(f"{db}: {passed} passed, {failed} failed, {counts['skipped']} skipped")
    detail = f"{counts['tests']} tests in {seconds:.1f} s, pytest exit {rc}"
    if rc:
        detail += f" ({REASONS.get(rc, 'error')})"
        problems.append(f"{db}: pytest exit {rc} ({REASONS.get(rc, 'error')})")
    if counts["errors"]:
        detail += f", {counts['errors']} of the failed are errors"
    if not have_report:
        detail += ", no JUnit report"
    try:
        with open(os.path.join(reports, db + ".note")) as f:
            detail += "; " + f.read().strip().split(": ", 1)[1]
    except (OSError, IndexError):
        pass
    try:
        with open(os.path.join(reports, db + ".left")) as f:
            left = int(f.readline())
        detail += (f"; {left} tests that use no database left to the SQLite run"
                   f" (ids in {os.path.join(reports, db + '.left')})")
    except (OSError, ValueError):
        pass
    out.append("    " + detail)
if os.environ.get("COVERED"):
    out.append(f"coverage: {os.environ['COVERED']}% of eis_toolkit over the runs above "
               f"({os.environ['HTMLCOV']})")
out.append("result: " + ("FAILED: " + "; ".join(problems) if problems else "OK"))
out.append(f"total: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
print()
print("================ EIS Toolkit test summary ================")
print("\n".join(out))
sys.exit(1 if problems else 0)
endef
export SUMMARY_PY

bench: setup
	@if [ -f bench/__main__.py ] || [ -f bench/__init__.py ]; then
	  exec $(VENV_PY) -m bench
	else
	  echo "No bench/ package yet: nothing to run."
	fi

clean:
	@rm -rf $(BUILD) .pytest_cache htmlcov shots .coverage .coverage.* coverage.xml *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	@rm -rf $(VENV)

FORCE:
