# asnsim: the README's commands. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo lab test bench clean workshop browser figures

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

test: setup browser
	ASNSIM_SMALL=1 $(BIN)/python -m pytest --nbval-lax -p no:cacheprovider

# the workshop dashboard (notebook 05, Bahasa Indonesia) on http://localhost:8866; notebooks/voila.json keeps two
# kernels ready (pre-heated) and shuts down a closed tab's kernel after 5 idle minutes (docs/notebooks.md)
workshop: setup
	cd notebooks && ../$(BIN)/voila 05_lokakarya_sosialisasi.ipynb --Voila.ip=127.0.0.1 --port=8866

# Debian's chromium for the browser test (tests/test_workshop_browser.py); skipped there if this fails
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || echo "chromium not installed: the browser test will skip"

# re-run the notebooks and save each one's main figure to docs/img (used by README and docs)
figures: setup
	for f in notebooks/0*.ipynb; do ASNSIM_FIGURES=$(CURDIR)/docs/img $(BIN)/jupyter nbconvert --to notebook --execute --stdout $$f > /dev/null || exit 1; done

bench: setup
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) out
