# Two commands set up everything on a fresh machine:
#   make run   - virtual environment, database from the bundled samples if missing, the app
#   make test  - the same set-up, then the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/lmi.duckdb
PORT   ?= 8501

.PHONY: run test venv db sample bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

$(DB): | $(VENV)/.installed
	$(PY) -m etl load data/sample/* --db $(DB)

db: $(DB)

run: $(VENV)/.installed $(DB)
	LMI_DB=$(DB) $(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest -q

sample: $(VENV)/.installed
	$(PY) -m etl.sample

clean:
	rm -rf $(VENV) $(DB)
