# SPDX-License-Identifier: GPL-2.0-or-later
#
# Top-level targets of the qemu-s390x-ism fork.
#
# Copyright (c) 2026 The qemu-s390x-ism authors

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build

# The base: which Debian QEMU source and which series (patches/$(UPSTREAM)/,
# docs/bases.rst).  Every target, and the scripts they run, use it.
UPSTREAM ?= 10.0
export UPSTREAM
BASE_SUFFIX := $(if $(filter 10.0,$(UPSTREAM)),,-$(UPSTREAM))
QEMU_BUILD := $(BUILD)/qemu$(BASE_SUFFIX)/build
NPROC := $(shell nproc)

# Rebuilds of the same sources from another folder (the per-patch build
# of "make check") hit the cache.
export CCACHE_NOHASHDIR := 1
export CCACHE_BASEDIR := $(BUILD)

TOOL_DIRS := $(wildcard tests/zpci-sim tests/guest)

.PHONY: all deps qemu tools check check-all demo bench export clean distclean fuzz \
	mutate

all: qemu tools

deps:
	@$(TOP)/scripts/install-deps

qemu: deps
	@$(TOP)/scripts/build

tools: deps
	@for d in $(TOOL_DIRS); do \
	    if [ -f $$d/Makefile ]; then \
	        $(MAKE) -C $$d BUILD=$(BUILD)/$$(basename $$d) || exit 1; \
	    fi; \
	done

# make check (the default tier, CI): the primary base but its per-patch
# builds, the other bases' series, build and qtests; make check
# UPSTREAM=BASE: everything for BASE; make check-all: everything for every
# base, per-patch builds, every suite and every drop-in (README.rst,
# docs/bases.rst).
check: deps
	@$(TOP)/scripts/check

check-all: deps
	@$(TOP)/scripts/check --all

# The fork and stock binaries of the base (scripts/stock) for the scripts.
BASE_BINARIES = QEMU=$(QEMU_BUILD)/qemu-system-s390x \
	QEMU_STOCK="$$($(TOP)/scripts/stock)" \
	QEMU_STOCK_NEWEST="$$($(TOP)/scripts/stock-newest)"

demo: all
	@$(BASE_BINARIES) $(TOP)/scripts/demo

# SMC-D between two guests over passed-through ISM (docs/smcd.rst)
.PHONY: demo-smcd
demo-smcd: all
	@$(TOP)/scripts/demo-smcd

bench: all
	@$(BASE_BINARIES) $(TOP)/scripts/bench

# Long fuzz campaigns on the sanitizer build (docs/fuzzing.rst):
# N instructions per configuration, a fresh seed unless SEED=0x... is given.
N ?= 1000000
SEED ?= random
fuzz: all
	@$(TOP)/tests/fuzz/run-fuzz --count $(N) --seed $(SEED)

# Mutation testing of the series (docs/fuzzing.rst); not part of "check".
mutate: all
	@$(TOP)/scripts/mutate

export:
	@$(TOP)/scripts/pq export

clean:
	rm -rf $(QEMU_BUILD) $(BUILD)/bisect$(BASE_SUFFIX) \
	    $(BUILD)/check$(BASE_SUFFIX) $(BUILD)/zpci-sim $(BUILD)/guest \
	    $(BUILD)/asan $(BUILD)/mutate

distclean:
	rm -rf $(BUILD)
