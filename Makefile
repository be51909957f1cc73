# verfix: `make run` and `make test` do all the set-up they need (a virtual environment in .venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test testdata catalog bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Check the bundled example bin folders: SP2 (not compliant) and SP3 (compliant).
# verfix exits 1 for a not-compliant server; that is a finding, not a failure of `make run`.
run: $(STAMP)
	@for dir in testdata/sp2/exchsrvr/bin testdata/sp3/exchsrvr/bin; do \
	  echo "== verfix check $$dir"; \
	  $(BIN)/verfix check $$dir; rc=$$?; \
	  [ $$rc -le 1 ] || exit $$rc; \
	done

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info
