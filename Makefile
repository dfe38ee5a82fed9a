# canhbao: one build for everything.
#
#   make              build bin/canhbao-pub, bin/canhbao-sub and
#                     bin/canhbao-relay
#   make test         install missing Debian packages, build, run every test
#   make check        build and run every test (no package installation)
#   make demo         install, build, and show an advisory travel end to end
#   make bench        benchmarks that print figures (bench-delivery,
#                     bench-search, bench-idle: one part each)
#   make bench-fanout one burst to N subscribers beside raw ZeroMQ and
#                     mosquitto (BENCH_FANOUT_N, default "10 30 100")
#   make bench-search search latency beside raw FTS5 (BENCH_SEARCH_N)
#   make fuzz         libFuzzer harnesses (clang), a short run of each
#   make lint         mandoc -Tlint on the man pages, cppcheck on the C
#   make SANITIZE=address,undefined check   the suite under ASan + UBSan
#   make WERROR=1     warnings are errors (developers and CI)
#   make install      PREFIX=/usr/local DESTDIR= MANDIR=$(PREFIX)/share/man
#                     BASHCOMPDIR=$(PREFIX)/share/bash-completion/completions

PKG_CONFIG ?= pkg-config
CC ?= cc
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
# bash-completion loads completions/PROGRAM on first use.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

PKGS := libsodium libzmq libcurl sqlite3 libcjson libxml-2.0 inih libsystemd \
	libmicrohttpd
# Issue 17: CSAF providers' OpenPGP signatures.
PKGS += gpgme
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
ifneq ($(MAKECMDGOALS),deb)
ifneq ($(MAKECMDGOALS),deb-check)
MISSING := $(shell for p in $(PKGS); do $(PKG_CONFIG) --exists $$p || echo $$p; done)
ifneq ($(MISSING),)
$(error missing libraries: $(MISSING); run 'make deps' (Debian) or install them)
endif
endif
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
	-Irelay $(DEP_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(HARDEN_LD) $(LDFLAGS)

# Modules: every .c in a folder is one; a program's main lives in *_main.c.
LIB_SRCS := $(wildcard common/*.c feeds/*.c)
PUB_SRCS := $(filter-out publisher/pub_main.c,$(wildcard publisher/*.c))
SUB_SRCS := $(filter-out subscriber/sub_main.c,$(wildcard subscriber/*.c))
RELAY_SRCS := $(filter-out relay/relay_main.c,$(wildcard relay/*.c))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard bench/bench_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIBCB := $(BUILD)/libcb.a
LIBPUB := $(BUILD)/libpub.a
LIBSUB := $(BUILD)/libsub.a
LIBRELAY := $(BUILD)/librelay.a
PROGS := $(BINDIR)/canhbao-pub $(BINDIR)/canhbao-sub
PROGS += $(BINDIR)/canhbao-relay
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
$(LIBRELAY): $(call obj,$(RELAY_SRCS))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# The duty officer's page (publisher/web) is built into canhbao-pub: a C
# file of its bytes, written by publisher/embed-assets.sh (od(1) only).
WEB_ASSETS := $(sort $(wildcard publisher/web/*))
$(BUILD)/gen/pub_web_assets.c: $(WEB_ASSETS) publisher/embed-assets.sh
	@mkdir -p $(dir $@)
	@sh publisher/embed-assets.sh $@ $(WEB_ASSETS)
$(BUILD)/gen/pub_web_assets.o: $(BUILD)/gen/pub_web_assets.c
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@
$(LIBPUB): $(BUILD)/gen/pub_web_assets.o

$(BINDIR)/canhbao-pub: $(call obj,publisher/pub_main.c) $(LIBPUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(DEP_LIBS)
# --as-needed: each program loads only the libraries it calls (the
# subscriber has no use for libcurl or gpgme, and an idle agency's
# resident memory is counted by bench-idle).
$(BINDIR)/canhbao-sub: $(call obj,subscriber/sub_main.c) $(LIBSUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(DEP_LIBS)
$(BINDIR)/canhbao-relay: $(call obj,relay/relay_main.c) $(LIBRELAY) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(DEP_LIBS)

# Unit tests link the same libraries the programs ship.
$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/cb_test.c $(LIBPUB) \
    $(LIBSUB) $(LIBRELAY) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ \
	    $< tests/unit/cb_test.c $(LIBPUB) $(LIBSUB) $(LIBRELAY) $(LIBCB) \
	    $(DEP_LIBS) $(TEST_LIBS)

# Each fuzz target also builds, under gcc, into a replayer of its corpus.
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(LIBPUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c \
	    $(LIBPUB) $(LIBCB) $(DEP_LIBS)

# Every benchmark merges its figures through bench/results.c.
# bench/parts.c: what the delivery benchmarks share (advisory, rates).
$(BUILD)/bench/%: bench/%.c bench/results.c bench/results.h bench/parts.c \
    bench/parts.h $(LIBPUB) $(LIBSUB) $(LIBCB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ibench $(ALL_LDFLAGS) -o $@ $< bench/results.c \
	    bench/parts.c $(LIBPUB) $(LIBSUB) $(LIBCB) $(DEP_LIBS) \
	    $(BENCH_LIBS_$(*F))

# Install what is missing, then build and run everything.
deps:
	@sh scripts/install-deps.sh

test: deps
	@$(MAKE) --no-print-directory check

check: $(PROGS) $(UNITS) $(REPLAYS)
	@CANHBAO_BIN=$(CURDIR)/$(BINDIR) CANHBAO_BUILD=$(CURDIR)/$(BUILD) \
	    CANHBAO_LOCALEDIR=$(CURDIR)/build/locale sh tests/run.sh

# t980 runs the fan-out benchmark's programs at N = 2.
check: $(BUILD)/bench/bench_fanout $(BUILD)/bench/bench_fanout_recv

demo: deps
	@$(MAKE) --no-print-directory all
	@CANHBAO_BIN=$(CURDIR)/$(BINDIR) \
	    CANHBAO_LOCALEDIR=$(CURDIR)/build/locale sh scripts/demo.sh

bench: $(PROGS) $(BENCHES)
	@CANHBAO_BIN=$(CURDIR)/$(BINDIR) CANHBAO_BUILD=$(CURDIR)/$(BUILD) \
	    sh bench/run.sh

# Search latency beside raw FTS5 at each size in BENCH_SEARCH_N (the
# archives are built once and kept in build/bench/archives).
BENCH_SEARCH_N ?= 100000 1000000
.PHONY: bench-search
bench-search: $(BUILD)/bench/bench_search
	@mkdir -p $(BUILD)/bench/archives
	@for n in $(BENCH_SEARCH_N); do \
	    $(BUILD)/bench/bench_search $$n $(BUILD)/bench/archives || exit 2; \
	done
# One part each: figures printed and merged into build/bench/results.json.
.PHONY: bench-delivery bench-idle
# Issue 15: fan-out to N subscribers beside raw ZeroMQ and mosquitto
# (libmosquitto for the bench's MQTT clients only; BENCH_FANOUT_N).
BENCH_LIBS_bench_fanout := -lmosquitto
BENCH_LIBS_bench_fanout_recv := -lmosquitto
.PHONY: bench-fanout
bench-fanout: $(PROGS) $(BUILD)/bench/bench_fanout \
    $(BUILD)/bench/bench_fanout_recv
	@$(BUILD)/bench/bench_fanout $(CURDIR)/$(BINDIR)
bench-delivery: $(PROGS) $(BUILD)/bench/bench_delivery
	@$(BUILD)/bench/bench_delivery $(CURDIR)/$(BINDIR)
# Issue 15: a relay's outbox, SUBMITs kept and forwarded per second
# (linked with the relay's modules, then libcb again, which they use).
$(BUILD)/bench/bench_way_back: $(LIBRELAY)
$(BUILD)/bench/bench_way_back: DEP_LIBS := $(LIBRELAY) $(LIBCB) $(DEP_LIBS)
.PHONY: bench-way-back
bench-way-back: $(BUILD)/bench/bench_way_back
	@mkdir -p $(BUILD)/bench/way-back
	@$(BUILD)/bench/bench_way_back 2000 $(BUILD)/bench/way-back
bench-idle: $(PROGS) $(BUILD)/bench/bench_record
	@CANHBAO_BIN=$(CURDIR)/$(BINDIR) CANHBAO_BUILD=$(CURDIR)/$(BUILD) \
	    sh bench/idle.sh

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
fuzz: $(PATHS_H) $(BUILD)/gen/pub_web_assets.c
	@sh tests/fuzz/run.sh "$(FUZZ_CC)" "$(FUZZ_SECONDS)"

# Static checks that can fail: the man pages, and cppcheck on all the C
# (tests/cppcheck.supp gives the reason for each suppression).
CPPCHECK := cppcheck -q --std=c11 --enable=warning,style,performance,portability \
	--inline-suppr --error-exitcode=1 --suppressions-list=tests/cppcheck.supp \
	--include=/usr/include/cjson/cJSON.h -I$(BUILD) -Icommon -Ifeeds \
	-Ipublisher -Isubscriber -Irelay -Itests/unit
lint: $(PATHS_H)
	mandoc -Tlint -Wwarning man/*.[1-9]
	$(CPPCHECK) common feeds publisher subscriber relay tests/unit tests/fuzz bench

install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin
	for m in man/*.[1-9]; do \
	    install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}; done
	install -d $(DESTDIR)$(BASHCOMPDIR)
	for p in canhbao-pub canhbao-sub canhbao-relay; do install -m 0644 \
	    completion/canhbao.bash $(DESTDIR)$(BASHCOMPDIR)/$$p; done

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
# po/vi.po holds every message of the sources, none fuzzy or untranslated
# (make lint; tests/integration/t160 too).  The template is written to
# build/canhbao.pot; "msgmerge --update po/vi.po build/canhbao.pot" then
# adds what is new.
POT := build/canhbao.pot
XGETTEXT := xgettext -k_ -kN_ -kngettext:1,2 -kcb_cli_operands:5 \
	--add-comments=xgettext: --from-code=UTF-8 --no-location
.PHONY: po-check
po-check:
	@mkdir -p build
	@$(XGETTEXT) -o $(POT) $(sort $(wildcard common/*.c feeds/*.c \
	    publisher/*.c subscriber/*.c relay/*.c))
	msgcmp po/vi.po $(POT)
	msgfmt --check --statistics -o /dev/null po/vi.po 2>$(POT).stats
	@cat $(POT).stats; ! grep -q 'fuzzy\|untranslated' $(POT).stats
lint: po-check
# --- end of the gettext block --------------------------------------------

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- Debian packages (debian/, dist/) -----------------------------------
# make deb        install the build dependencies, build the packages
#                 (dpkg-buildpackage -us -uc -b) and move them from the
#                 parent folder into build/deb/
# make deb-check  lintian, systemd-analyze verify and security on the
#                 units, and install/purge/reinstall on this machine (root)
.PHONY: deb deb-check
deb:
	@sh scripts/install-deps.sh --deb
	dpkg-buildpackage -us -uc -b
	@v=$$(dpkg-parsechangelog -SVersion) && rm -rf build/deb && \
	    mkdir -p build/deb && \
	    mv ../canhbao_$${v}_*.buildinfo ../canhbao_$${v}_*.changes \
	    ../canhbao-*_$${v}_*.deb build/deb/ && ls build/deb/*.deb
deb-check:
	@sh scripts/install-deps.sh --deb
	sh scripts/deb-check.sh build/deb
clean: clean-deb
.PHONY: clean-deb
clean-deb:
	rm -rf build-deb
