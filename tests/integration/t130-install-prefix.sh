#!/bin/sh
# t130: a build installed to another prefix finds its own files.  The
# source tree is copied, built with the default PREFIX, then installed
# with "make install PREFIX=..." (the baked-in folders must follow) and
# with DESTDIR as packaging does; the installed canhbao-sub speaks
# Vietnamese with no CANHBAO_LOCALEDIR to help it.
. "$(dirname "$0")/lib.sh"

SRC="$T/src"
mkdir -p "$SRC"
(cd "$TOP" && cp -R Makefile common feeds publisher subscriber relay po man \
    completion "$SRC/")
# A plain build of the copy, whatever build runs the suite (make passes
# its command-line variables, SANITIZE among them, in the environment).
unset CANHBAO_LOCALEDIR SANITIZE
MAKEFLAGS= MFLAGS=
export MAKEFLAGS MFLAGS

# build LOG ARGS...: make in the copy, its output kept in LOG.
build() {
	log=$1
	shift
	make -s -C "$SRC" "$@" >"$log" 2>&1 || { cat "$log"; return 1; }
}

check "builds with the default prefix" build "$T/build.log" -j2 all
check "the default build looks in /usr/local" \
    grep -q '"/usr/local/share/locale"' "$SRC/build/cb_paths.h"

check "installs to another prefix" \
    build "$T/install.log" install PREFIX="$T/opt"
check "the messages are installed there" \
    test -f "$T/opt/share/locale/vi/LC_MESSAGES/canhbao.mo"
mkdir -m 0700 "$T/sub"
"$T/opt/bin/canhbao-sub" keygen --state "$T/sub" >/dev/null
LANGUAGE=vi LC_ALL=C.UTF-8 "$T/opt/bin/canhbao-sub" show --state "$T/sub" \
    nope 2>"$T/vi.err"
check "the installed program speaks Vietnamese" \
    grep -q 'không có kho lưu trữ' "$T/vi.err"

# Packaging: PREFIX=/usr, files staged under DESTDIR; the program names
# /usr, not the staging folder.
check "installs into DESTDIR" \
    build "$T/stage.log" install PREFIX=/usr DESTDIR="$T/stage"
check "the staged program looks in /usr/share/locale" \
    grep -q '/usr/share/locale' "$T/stage/usr/bin/canhbao-sub"
check_fails "and never in the staging folder" \
    grep -q "$T/stage" "$T/stage/usr/bin/canhbao-sub"
check "the staged messages are there" \
    test -f "$T/stage/usr/share/locale/vi/LC_MESSAGES/canhbao.mo"
check "bash completion is installed for both programs" sh -c \
    'test -f "$0/canhbao-pub" && test -f "$0/canhbao-sub"' \
    "$T/stage/usr/share/bash-completion/completions"
finish
