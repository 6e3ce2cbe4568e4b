# ops-skills: `make run` to try it, `make test` to check it. Both set everything up first.
# The first Python 3.12+ found (.python-version makes pyenv's python3 the 3.13 one).
PYTHON ?= $(shell for p in python3 python3.13 python3.12; do \
	  $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; exit; }; done; echo python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in this many processes (pytest-xdist), a test file in one of them; the browser
# tests in a second run of their own, since Playwright leaves an event loop in its process.
TEST_WORKERS ?= 2
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: run test test-fast install python-check browser lint format bench clean

python-check:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "ops-skills needs Python 3.12 or newer (3.13 recommended); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.13 (for example 'pyenv install 3.13', or your OS's python3.13 package)"; \
	  echo "and run make again, or point make at it: make run PYTHON=python3.13"; exit 1; }

$(VENV)/.installed: pyproject.toml | python-check
	@test -x $(PY) && $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py createcachetable
	DEBUG=true $(PY) manage.py seed_demo
	@echo "ops-skills is starting on http://$(HOST):$(PORT)/  (log in as priya@example.com / ops-skills-demo)"
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser"
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m browser

test-fast: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser" -x -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .demo
