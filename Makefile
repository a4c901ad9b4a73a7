# Satu Layar — `make demo` runs the demo city, `make test` runs every test. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench soak install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -qq -e '.[test]'  # -qq: errors only, not setuptools' notes on editable installs
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/satulayar demo

test: $(STAMP)
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo ""; \
	  echo "!!! Chromium is missing at $(CHROMIUM): the browser tests need Debian's headless Chromium."; \
	  echo "!!! Install it with:  sudo apt-get install -y --no-install-recommends chromium chromium-driver fonts-liberation"; \
	  echo ""; exit 1; fi
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

# Not part of `make bench` (about half an hour on two cores): 60.000 ASN and a year of raw rows, on PostgreSQL
# (DATABASE_URL=postgres://…; the role needs CREATEDB).
bench-province: $(STAMP)
	$(BIN)/python -m bench.province $(PROVINCE_ARGS)

# Not part of `make test` or `make bench`: the live demo under load for 20 minutes (SOAK_ARGS="--minutes 2").
soak: $(STAMP)
	$(BIN)/python -m bench._soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
