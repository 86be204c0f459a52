# asnsim: the README's commands. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo lab test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dist]'
	touch $(STAMP)

demo: setup
	$(BIN)/asnsim demo --out out

lab: setup
	$(BIN)/jupyter lab notebooks/

test: setup
	ASNSIM_SMALL=1 $(BIN)/python -m pytest --nbval-lax -p no:cacheprovider

bench: setup
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) out
