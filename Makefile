# Maestrino: kernel CI as a batch job.  One Makefile, pkg-config, no
# autotools.  `make` builds bin/, `make check` runs every test, `make run`
# runs the whole pipeline on the default config, `make install` installs
# it under PREFIX (and DESTDIR).

PKGS	= libgit2 yaml-0.1 sqlite3 libarchive libcurl jansson libcrypto \
	  libdeflate

CC	?= cc
CFLAGS	?= -O2 -g
WARN	= -Wall -Wextra -Wformat-security -Wstrict-prototypes -Wvla \
	  -Wwrite-strings -Wmissing-prototypes -Wshadow
ifdef WERROR
WARN	+= -Werror
endif
ifneq ($(SANITIZE),)
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
endif

# Evaluated when a recipe runs, after deps-check has installed anything
# pkg-config could not find.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lpthread

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) \
	     -Isrc/lib $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

CONFIG	?= configs
STAGE	?= poll

# `make install`: the front door in bin/, the stages beside its real
# self in libexec/maestrino/ (bin/maestrino links there), and the files
# they load at run time in share/maestrino/, laid out as in this tree;
# the executables find them from where they are (proc_data_dir()), so
# only PREFIX and DESTDIR move them.
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
EXECDIR	 = $(PREFIX)/libexec/maestrino
DATADIR	 = $(PREFIX)/share/maestrino
MANDIR	 = $(PREFIX)/share/man
COMPDIR	 = $(PREFIX)/share/bash-completion/completions
INSTALL	?= install
# What the programs load: the default config and its templates, the
# site's assets, and the scripts that make ramdisks and disks.
DATA_DIRS = configs configs/templates configs/templates/boot \
	    configs/templates/test configs/fragments configs/examples \
	    configs/examples/fragments site
DATA_FILES = $(wildcard configs/*.yaml configs/templates/*.yaml \
	     configs/templates/boot/*.yaml configs/templates/test/*.yaml \
	     configs/fragments/*.config configs/examples/*.yaml \
	     configs/examples/fragments/*.config site/*.css site/*.js)
DATA_SCRIPTS = scripts/make-ramdisk.sh scripts/make-rootfs.sh \
	       scripts/userland.sh scripts/guestfs-kernel.sh scripts/deps.sh

LIB_SRC	= $(wildcard src/lib/*.c)
LIB_OBJ	= $(LIB_SRC:src/lib/%.c=build/lib/%.o)
CMD_SRC	= $(wildcard src/cmd/*.c)
BINS	= $(CMD_SRC:src/cmd/%.c=bin/%)
BINS	:= $(patsubst bin/maestrino-maestrino,bin/maestrino,$(BINS))
UNIT_SRC = $(wildcard tests/unit/t-*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/tests/%)

# Stage mains are src/cmd/<stage>.c and become bin/maestrino-<stage>.
STAGE_BINS = $(filter-out bin/maestrino-maestrino,\
	     $(CMD_SRC:src/cmd/%.c=bin/maestrino-%))

.PHONY: all check unit e2e bench lint run run-stage clean deps-check \
	demo-bisect check-deps fuzz fuzz-build install FORCE

all: bin/maestrino $(STAGE_BINS)

deps-check:
	@pkg-config --exists $(PKGS) || scripts/deps.sh build

# Rebuild everything when the compiler or its flags change.
build/flags: FORCE | deps-check
	@mkdir -p build
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > build/flags.new
	@cmp -s build/flags.new build/flags && rm build/flags.new || \
		mv build/flags.new build/flags

build/lib/%.o: src/lib/%.c build/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/cmd/%.o: src/cmd/%.c build/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/libmaestrino.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(LIB_OBJ)

bin/maestrino: build/cmd/maestrino.o build/libmaestrino.a
	@mkdir -p bin
	$(CC) $(ALL_LDFLAGS) -o $@ $< build/libmaestrino.a $(PKG_LIBS)

bin/maestrino-%: build/cmd/%.o build/libmaestrino.a
	@mkdir -p bin
	$(CC) $(ALL_LDFLAGS) -o $@ $< build/libmaestrino.a $(PKG_LIBS)

build/tests/%: tests/unit/%.c tests/unit/tap.h build/libmaestrino.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< \
		build/libmaestrino.a $(PKG_LIBS)

build/bench/%: bench/%.c build/libmaestrino.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< build/libmaestrino.a \
		$(PKG_LIBS)

# Packages the tests need beyond the build (git, python3-jsonschema, ...).
check-deps:
	@scripts/deps.sh test

# Every test: unit, end-to-end, the real kernel build and boot, LAVA,
# the browser.  T=pattern runs the matching ones only.
check: all $(UNIT_BIN) check-deps
	@tests/run $(T)

unit: all $(UNIT_BIN)
	@tests/run unit

# The real kernel: build Debian's linux-source with the default config.
e2e: all check-deps
	@tests/run real

BENCH_BIN = $(patsubst bench/%.c,build/bench/%,$(wildcard bench/*.c))

bench: all $(BENCH_BIN) check-deps
	@bench/run $(B)

lint: deps-check
	@scripts/lint.sh

run: all
	@scripts/deps.sh run
	@scripts/demo-tree.sh
	bin/maestrino -c $(CONFIG) run --wait $(RUN_ARGS)

# A boot regression made on purpose in the demo kernel, bisected once on
# this machine, with its steps and times (var/demo-bisect, or DIR=...).
# Real kernel builds and boots: half an hour or so.  Not part of check.
demo-bisect: all
	@scripts/deps.sh run
	scripts/demo-bisect.sh $(DIR)

run-stage: all
	bin/maestrino -c $(CONFIG) $(STAGE)

# Fuzzing: one libFuzzer target per parser of outside input
# (tests/fuzz/fuzz-*.c), under ASan and UBSan.  clang builds them from
# objects of their own in build/fuzz/, so `make` never needs clang and
# SANITIZE does not apply.  `make fuzz` runs each target for FUZZ_TIME
# seconds; `make check` runs them briefly (tests/fuzz/t0990-fuzz.sh).
FUZZ_CC	?= clang
FUZZ_TIME ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
# gcc's warnings; clang's differ, so they are not made errors here
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(filter-out -Werror,$(WARN)) -O1 -g \
	      $(FUZZ_SAN) -Isrc/lib $(PKG_CFLAGS)
FUZZ_OBJ = $(LIB_SRC:src/lib/%.c=build/fuzz/lib/%.o)
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build/fuzz/%,\
	   $(wildcard tests/fuzz/fuzz-*.c))

build/fuzz/flags: FORCE | deps-check
	@mkdir -p build/fuzz
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > build/fuzz/flags.new
	@cmp -s build/fuzz/flags.new build/fuzz/flags && \
		rm build/fuzz/flags.new || \
		mv build/fuzz/flags.new build/fuzz/flags

build/fuzz/lib/%.o: src/lib/%.c build/fuzz/flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		-c -o $@ $<

build/fuzz/libmaestrino.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $(FUZZ_OBJ)

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h \
    build/fuzz/libmaestrino.a build/fuzz/flags
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz -fsanitize=fuzzer -o $@ $< \
		build/fuzz/libmaestrino.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(EXECDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR) \
		$(DESTDIR)$(DATADIR)/scripts \
		$(addprefix $(DESTDIR)$(DATADIR)/,$(DATA_DIRS))
	$(INSTALL) -m 755 bin/maestrino $(STAGE_BINS) $(DESTDIR)$(EXECDIR)/
	ln -sf "$$(realpath -m --relative-to=$(BINDIR) \
		$(EXECDIR))/maestrino" $(DESTDIR)$(BINDIR)/maestrino
	for f in $(DATA_FILES); do \
		$(INSTALL) -m 644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit; \
	done
	$(INSTALL) -m 755 $(DATA_SCRIPTS) $(DESTDIR)$(DATADIR)/scripts/
	$(INSTALL) -m 644 docs/maestrino.1 $(DESTDIR)$(MANDIR)/man1/
	bin/maestrino completion bash >$(DESTDIR)$(COMPDIR)/maestrino.tmp
	mv $(DESTDIR)$(COMPDIR)/maestrino.tmp $(DESTDIR)$(COMPDIR)/maestrino

clean:
	rm -rf build bin

FORCE:

-include $(LIB_OBJ:.o=.d) $(CMD_SRC:src/cmd/%.c=build/cmd/%.d)
-include $(FUZZ_OBJ:.o=.d)
