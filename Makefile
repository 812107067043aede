# Dostyq: `make run` and `make test` set everything up on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
SRC    := bot devserver tests $(wildcard bench)
STAMP  := $(VENV)/.installed
BABEL_KEYWORDS := -k _:1,1t -k _:1,2 -k __

.PHONY: install kb run test test-fast lint locales locales-extract bench eval clean services

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@# the development tools beside the bot (devserver/: console, tests, benchmarks) are
	@# importable in this venv, though the bot's wheel carries only bot/
	@$(PY) -c "import pathlib, site; pathlib.Path(site.getsitepackages()[0], 'dostyq-devtools.pth').write_text(str(pathlib.Path.cwd()) + chr(10))"
	@touch $(STAMP)

install: $(STAMP) locales

## Compile the gettext catalogues (.po -> .mo).
locales: $(STAMP)
	@$(PY) -c "from bot.i18n import compile_catalogs; compile_catalogs()"

## Re-extract messages from the code and merge them into every catalogue.
locales-extract: $(STAMP)
	$(VENV)/bin/pybabel extract $(BABEL_KEYWORDS) --no-wrap --input-dirs=bot \
		-o locales/messages.pot --project=Dostyq --copyright-holder=Dostyq
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales --no-wrap --no-fuzzy-matching

## Build the knowledge base from data/ when it is missing or older than data/.
kb: $(STAMP)
	@$(PY) -m bot kb build --if-stale

run: install kb
	@$(PY) -m bot run

lint: $(STAMP)
	$(VENV)/bin/ruff check $(SRC)
	$(VENV)/bin/ruff format --check $(SRC)
	$(VENV)/bin/mypy

## PostgreSQL (Debian's package) for the tests that start their own server: installed
## when missing and possible (root with apt-get); without it those tests skip, saying why.
services:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
	( [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  ( DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 || \
	    ( apt-get update -qq >/dev/null 2>&1 && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 ) ) ) || \
	echo "PostgreSQL is not installed and could not be installed here: its tests will skip"
	@command -v redis-server >/dev/null 2>&1 || \
	( [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  ( DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null 2>&1 || \
	    ( apt-get update -qq >/dev/null 2>&1 && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null 2>&1 ) ) ) || \
	echo "redis-server is not installed and could not be installed here: its tests will skip"

## The suite on every core (pytest-xdist; `worksteal` evens out the long process tests).
XDIST := -n auto --dist worksteal

test: install lint services
	$(PY) -m pytest $(XDIST)

## While working: the same suite without the tests that start processes of their own
## (marked `slow`); `make test` runs everything.
test-fast: install services
	$(PY) -m pytest $(XDIST) -m "not slow"

## Answer quality on the public sets beside the repo (../shared/eval) and our held-out set.
SHARED_EVAL ?= ../shared/eval
eval: install
	$(PY) -m bot eval -q $(SHARED_EVAL)/qa-dev.jsonl
	$(PY) -m bot eval -q --corpus $(SHARED_EVAL)/corpus-dev $(SHARED_EVAL)/qa-corpus-dev.jsonl
	$(PY) -m bot eval -q --corpus $(SHARED_EVAL)/../corpus --no-curated eval/heldout-originals.jsonl

bench: install
	@for b in $(wildcard bench/*.py); do echo "== $$b"; $(PY) $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
	find locales -name '*.mo' -delete
