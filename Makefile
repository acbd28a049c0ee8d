# Two commands set up everything on a fresh machine (Debian, Python 3.11, PyPI and apt reachable):
#   make run   - virtual environment, database from the bundled samples if missing, the app
#   make test  - the same set-up plus Debian's Chromium (real-browser tests), then the whole suite
PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
DB       ?= data/lmi.duckdb
PORT     ?= 8501
CHROMIUM ?= /usr/bin/chromium
# CI passes ALLOW_NO_TESTS=1: pytest's exit 5 ("collected nothing") is then not a failure.
ALLOW_NO_TESTS ?=
PYTEST_ARGS ?= -q --durations=15
# apt-get needs root; use sudo when it is there and we are not root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test venv db browser sample bench app-bench screenshots clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# Debian's Chromium drives the browser tests through the pip playwright package
# (executable_path); no browser is ever downloaded (`playwright install` is not used).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser tests (apt-get)"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null && \
	  echo "Installed: $$($(CHROMIUM) --version)"; \
	fi

$(DB): | $(VENV)/.installed
	$(PY) -m etl load data/sample/* --db $(DB)

db: $(DB)

run: $(VENV)/.installed $(DB)
	LMI_DB=$(DB) $(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true \
	  --browser.gatherUsageStats false

test: $(VENV)/.installed browser
	@$(PY) -m pytest $(PYTEST_ARGS) || { rc=$$?; \
	  if [ $$rc -eq 5 ] && [ -n "$(ALLOW_NO_TESTS)" ]; then echo "pytest collected no tests: nothing ran"; \
	  else exit $$rc; fi; }

sample: $(VENV)/.installed
	$(PY) -m etl.sample

bench: $(VENV)/.installed
	$(PY) bench/etl_bench.py

app-bench: $(VENV)/.installed browser
	$(PY) bench/app_bench.py

screenshots: $(VENV)/.installed browser
	$(PY) tools/screenshots.py

clean:
	rm -rf $(VENV) $(DB)
