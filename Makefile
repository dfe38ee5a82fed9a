# canhbao: one build for everything.
#
#   make              build bin/canhbao-pub and bin/canhbao-sub
#   make test         install missing Debian packages, build, run every test
#   make check        build and run every test (no package installation)
#   make demo         install, build, and show an advisory travel end to end
#   make bench        benchmarks that print figures (bench-delivery,
#                     bench-idle: one part each)
#   make fuzz         libFuzzer harnesses (clang), a short run of each
#   make lint         mandoc -Tlint on the man pages, cppcheck on the C
#   make SANITIZE=address,undefined check   the suite under ASan + UBSan
#   make WERROR=1     warnings are errors (developers and CI)
#   make install      PREFIX=/usr/local DESTDIR= MANDIR=$(PREFIX)/share/man

PKG_CONFIG ?= pkg-config
CC ?= cc
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

PKGS := libsodium libzmq libcurl sqlite3 libcjson libxml-2.0 inih libsystemd \
	libmicrohttpd
TEST_PKGS := cmocka

ifeq ($(SANITIZE),)
BUILD := build
BINDIR := bin
OPT := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
	-fstack-clash-protection -fcf-protection
HARDEN_LD := -Wl,-z,relro -Wl,-z,now
else
BUILD := build-san
BINDIR := build-san/bin
OPT := -O1 -g -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
HARDEN_LD := -fsanitize=$(SANITIZE)
endif

WARN := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra -Wpedantic -Wformat=2 -Wformat-overflow=2 \
	-Wformat-truncation=2 -Wshadow -Wpointer-arith -Wcast-qual \
	-Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wredundant-decls -Wnested-externs -Wundef \
	-Wvla -Wnull-dereference -Wduplicated-cond -Wduplicated-branches \
	-Wlogical-op -Wimplicit-fallthrough -Wjump-misses-init -Walloc-zero \
	-Wrestrict
ifneq ($(WERROR),)
WARN += -Werror
endif

ifneq ($(MAKECMDGOALS),deps)
ifneq ($(MAKECMDGOALS),test)
ifneq ($(MAKECMDGOALS),demo)
ifneq ($(MAKECMDGOALS),clean)
MISSING := $(shell for p in $(PKGS); do $(PKG_CONFIG) --exists $$p || echo $$p; done)
ifneq ($(MISSING),)
$(error missing libraries: $(MISSING); run 'make deps' (Debian) or install them)
endif
endif
endif
endif
endif

DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

ALL_CFLAGS := $(WARN) $(OPT) -I$(BUILD) -Icommon -Ifeeds -Ipublisher -Isubscriber \
	$(DEP_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(HARDEN_LD) $(LDFLAGS)

# Modules: every .c in a folder is one; a program's main lives in *_main.c.
LIB_SRCS := $(wildcard common/*.c feeds/*.c)
PUB_SRCS := $(filter-out publisher/pub_main.c,$(wildcard publisher/*.c))
SUB_SRCS := $(filter-out subscriber/sub_main.c,$(wildcard subscriber/*.c))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard bench/bench_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIBCB := $(BUILD)/libcb.a
LIBPUB := $(BUILD)/libpub.a
LIBSUB := $(BUILD)/libsub.a
PROGS := $(BINDIR)/canhbao-pub $(BINDIR)/canhbao-sub
UNITS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
REPLAYS := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/replay_%,$(FUZZ_SRCS))
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

.PHONY: all check test demo deps bench fuzz lint install clean
all: $(PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBCB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
$(LIBPUB): $(call obj,$(PUB_SRCS))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
$(LIBSUB): $(call obj,$(SUB_SRCS))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BINDIR)/canhbao-pub: $(call obj,publisher/pub_main.c) $(LIBPUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)
$(BINDIR)/canhbao-sub: $(call obj,subscriber/sub_main.c) $(LIBSUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Unit tests link the same libraries the programs ship.
$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/cb_test.c $(LIBPUB) \
    $(LIBSUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ \
	    $< tests/unit/cb_test.c $(LIBPUB) $(LIBSUB) $(LIBCB) $(DEP_LIBS) \
	    $(TEST_LIBS)

# Each fuzz target also builds, under gcc, into a replayer of its corpus.
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(LIBPUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c \
	    $(LIBPUB) $(LIBCB) $(DEP_LIBS)

# Every benchmark merges its figures through bench/results.c.
$(BUILD)/bench/%: bench/%.c bench/results.c bench/results.h $(LIBPUB) \
    $(LIBSUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ibench $(ALL_LDFLAGS) -o $@ $< bench/results.c \
	    $(LIBPUB) $(LIBSUB) $(LIBCB) $(DEP_LIBS)

# Install what is missing, then build and run everything.
deps:
	@sh scripts/install-deps.sh

test: deps
	@$(MAKE) --no-print-directory check

check: $(PROGS) $(UNITS) $(REPLAYS)
	@CANHBAO_BIN=$(CURDIR)/$(BINDIR) CANHBAO_BUILD=$(CURDIR)/$(BUILD) \
	    CANHBAO_LOCALEDIR=$(CURDIR)/build/locale sh tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@CANHBAO_BIN=$(CURDIR)/$(BINDIR) \
	    CANHBAO_LOCALEDIR=$(CURDIR)/build/locale sh scripts/demo.sh

bench: $(PROGS) $(BENCHES)
	@CANHBAO_BIN=$(CURDIR)/$(BINDIR) CANHBAO_BUILD=$(CURDIR)/$(BUILD) \
	    sh bench/run.sh

# One part each: figures printed and merged into build/bench/results.json.
.PHONY: bench-delivery bench-idle
bench-delivery: $(PROGS) $(BUILD)/bench/bench_delivery
	@$(BUILD)/bench/bench_delivery $(CURDIR)/$(BINDIR)
bench-idle: $(PROGS) $(BUILD)/bench/bench_record
	@CANHBAO_BIN=$(CURDIR)/$(BINDIR) CANHBAO_BUILD=$(CURDIR)/$(BUILD) \
	    sh bench/idle.sh

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
fuzz: $(PATHS_H)
	@sh tests/fuzz/run.sh "$(FUZZ_CC)" "$(FUZZ_SECONDS)"

# Static checks that can fail: the man pages, and cppcheck on all the C
# (tests/cppcheck.supp gives the reason for each suppression).
CPPCHECK := cppcheck -q --std=c11 --enable=warning,style,performance,portability \
	--inline-suppr --error-exitcode=1 --suppressions-list=tests/cppcheck.supp \
	--include=/usr/include/cjson/cJSON.h -I$(BUILD) -Icommon -Ifeeds \
	-Ipublisher -Isubscriber -Itests/unit
lint: $(PATHS_H)
	mandoc -Tlint -Wwarning man/*.[1-9]
	$(CPPCHECK) common feeds publisher subscriber tests/unit tests/fuzz bench

install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin
	for m in man/*.[1-9]; do \
	    install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}; done

clean:
	rm -rf build build-san bin

# --- Messages in Vietnamese (gettext) --------------------------------
# po/vi.po compiles to build/locale/vi/LC_MESSAGES/canhbao.mo; install
# puts it under $(LOCALEDIR).  The programs look there (the folder is
# baked into $(BUILD)/cb_paths.h, written anew whenever PREFIX or
# LOCALEDIR change, so "make install PREFIX=..." rebuilds what needs
# it), or in $$CANHBAO_LOCALEDIR, which the tests point at build/locale.
LOCALEDIR ?= $(PREFIX)/share/locale
# The version --version prints, and the publisher's default state folder.
VERSION ?= 0.13
STATEDIR ?= /var/lib/canhbao
MO := build/locale/vi/LC_MESSAGES/canhbao.mo
PATHS_H := $(BUILD)/cb_paths.h
$(PATHS_H): FORCE
	@mkdir -p $(dir $@)
	@printf '/* Generated by the Makefile: where the installed files are. */\n#define CB_LOCALEDIR "%s"\n#define CB_VERSION "%s"\n#define CB_STATEDIR "%s"\n' \
	    '$(LOCALEDIR)' '$(VERSION)' '$(STATEDIR)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/common/cb_locale.o $(BUILD)/common/cb_cli.o: $(PATHS_H)
$(MO): po/vi.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<
all check demo: $(MO)
install: install-locale
.PHONY: install-locale FORCE
install-locale: $(MO)
	install -d $(DESTDIR)$(LOCALEDIR)/vi/LC_MESSAGES
	install -m 0644 $(MO) $(DESTDIR)$(LOCALEDIR)/vi/LC_MESSAGES/canhbao.mo
# --- end of the gettext block --------------------------------------------

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
