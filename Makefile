# verfix: `make run` and `make test` do all the set-up they need (a virtual environment in .venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test testdata catalog bench fuzz clean testdata-hive testdata-images

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The main job on the bundled example data: KB Q236586 on the SP2 folder (not compliant) and the
# SP3 folder (compliant), the products found on the mock NT 4.0 volume and its whole-server check
# (every product against the whole catalog, the hotfix records against the files), then the whole
# catalog on the SP3 folder ("which fixes is it missing?"), which ends with its remediation plan
# (the fewest service packs and hotfixes that clear it all).
# verfix exits 1 for a server that is not compliant: a finding, not a failure of `make run`.
run: $(STAMP)
	@for args in "testdata/sp2/exchsrvr/bin -m Q236586" "testdata/sp3/exchsrvr/bin -m Q236586"; do \
	  echo; echo "== verfix check $$args"; \
	  $(BIN)/verfix check $$args; rc=$$?; \
	  [ $$rc -le 1 ] || exit $$rc; \
	done
	@echo; echo "== verfix products testdata/nt4"; $(BIN)/verfix products testdata/nt4
	@echo; echo "== verfix check testdata/nt4"; \
	  $(BIN)/verfix check testdata/nt4; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@echo; echo "== verfix check testdata/sp3/exchsrvr/bin"; \
	  $(BIN)/verfix check testdata/sp3/exchsrvr/bin; rc=$$?; [ $$rc -le 1 ] || exit $$rc

test: $(STAMP)
	$(BIN)/ruff check verfix tests tools
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Rebuild the committed example binaries (testdata/sp2, sp3, pe) from testdata/src, byte for byte.
# Needs Debian gcc-mingw-w64-i686 and binutils-mingw-w64-i686; pe/amd64.dll also gcc-mingw-w64-x86-64.
# Not a prerequisite of run or test: those use the committed files and need no mingw.
testdata:
	sh testdata/build.sh

# Rebuild the committed registry hives (testdata/hive, and the SOFTWARE and SYSTEM hives of the
# mock NT 4.0 volume testdata/nt4) from their .reg text, byte for byte.
# Needs Debian libwin-hivex-perl (hivexregedit). hivex edits hives but cannot create one, so each
# starts as the empty hive that make_empty_hive.py writes. Not needed by run or test.
testdata-hive:
	for name in c d nosetup; do \
	  hive=testdata/hive/software-$$name; \
	  $(PYTHON) testdata/hive/make_empty_hive.py $$hive && \
	  hivexregedit --merge --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' $$hive $$hive.reg || exit 1; \
	done
	for name in software system; do \
	  hive=testdata/nt4/WINNT/system32/config/$$name; \
	  $(PYTHON) testdata/hive/make_empty_hive.py $$hive && \
	  hivexregedit --merge --prefix "HKEY_LOCAL_MACHINE\\$$(echo $$name | tr a-z A-Z)" \
	    $$hive testdata/hive/nt4-$$name.reg || exit 1; \
	done

# Rebuild the committed disk images in testdata/images (raw MBR disk with an NTFS and a FAT
# partition, and the same disk as E01, VMDK, VHD, qcow2) from testdata/sp2 and sp3. Needs root
# (an ntfs-3g FUSE mount) and Debian ntfs-3g, dosfstools, mtools, fdisk, qemu-utils, ewf-tools.
# Not needed by run or test: they use the committed images.
testdata-images:
	sh testdata/images/build.sh

# Mutation-fuzz both PE readers (tools/fuzz.py --help for options): FUZZ_ARGS="--count 50000 --seed 7".
FUZZ_ARGS ?= --count 10000 --seed 1
fuzz: $(STAMP)
	$(BIN)/python tools/fuzz.py $(FUZZ_ARGS)

# Benchmark (a report, not a test): the whole-server check of the whole catalog against one
# manifest on the mock NT 4.0 volume (tools/bench_server.py), start-up: verfix -V and a
# one-manifest check of 15 files against exiftool (tools/bench_startup.py; both print their
# ratio and go on when a target is missed); then verfix against exiftool, pefile's fast path and a bare
# list-and-read-4-KB loop on BENCH_CORPUS, plus check start-up; fails if a version differs
# from exiftool's. Build the reference corpus (Debian wine64, libwine, libwine:i386; root and the
# network, once) outside the repo: sudo sh tools/build_bench_corpus.sh /tmp/bench-corpus
# Then the cost caps of tools/bench_bounds.py: one folder of 1,000,000 files inventoried, a
# 50 MB manifest, a 100 MB article (BOUNDS_ARGS="--files 100000 --workdir /tmp/b" to change).
# Last, issue 13's per-file and --jobs figures on ten hard-linked copies of the corpus
# (tools/bench_scaling.py; SCALING_ARGS="--copies 4 --runs 9" to change).
BENCH_CORPUS ?=
BENCH_ARGS ?=
BOUNDS_ARGS ?=
SCALING_ARGS ?=
# Each benchmark adds its ratios to $(BENCH_SUMMARY); tools/bench_summary.py prints them last,
# side by side (issue 13's figures of one run).
bench: export BENCH_SUMMARY = $(or $(TMPDIR),/tmp)/verfix-bench-summary.jsonl
bench: $(STAMP)
	@rm -f "$$BENCH_SUMMARY"
	-$(BIN)/python tools/bench_server.py
	-$(BIN)/python tools/bench_startup.py
	$(BIN)/python tools/bench_bounds.py $(BOUNDS_ARGS)
	@if [ -z "$(BENCH_CORPUS)" ] || [ ! -d "$(BENCH_CORPUS)" ]; then \
	  $(BIN)/python tools/bench_summary.py; \
	  echo "make bench: set BENCH_CORPUS to a folder of PE files for the per-file and --jobs figures," \
	       "e.g. make bench BENCH_CORPUS=/tmp/bench-corpus" >&2; \
	  echo "  build it with: sudo sh tools/build_bench_corpus.sh /tmp/bench-corpus" >&2; exit 2; fi
	$(BIN)/python tools/bench.py $(BENCH_ARGS) "$(BENCH_CORPUS)"
	$(BIN)/python tools/bench_scaling.py $(SCALING_ARGS) "$(BENCH_CORPUS)"
	$(BIN)/python tools/bench_summary.py

# Import every KB article under $(KB_DIR) (each product folder) into manifests/catalog/
# (rewritten whole) and print the coverage per product folder and the import time. The
# result is committed; running it again changes nothing.
KB_DIR ?= ../shared/kb
catalog: $(STAMP)
	$(BIN)/python tools/make_catalog.py $(KB_DIR)

clean:
	rm -rf $(VENV) build *.egg-info
