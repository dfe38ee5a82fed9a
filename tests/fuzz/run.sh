#!/bin/sh
# make fuzz: build each tests/fuzz/fuzz_*.c with clang's libFuzzer and
# run it for a short while from its saved seeds.  New inputs go to
# build-fuzz/corpus-<target>/, crashes to build-fuzz/; a crash input
# worth keeping is copied into tests/fuzz/corpus/<target>/ by hand, so
# that "make check" replays it from then on.
set -eu
cc=${1:-clang} seconds=${2:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build-fuzz"
mkdir -p "$out"
pkgs="libsodium libzmq libcurl sqlite3 libcjson libxml-2.0 inih libsystemd"
pkgs="$pkgs libmicrohttpd gpgme" # cb_http; pub_csaf_trust
for src in "$top"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	target=${name#fuzz_}
	corpus="$top/tests/fuzz/corpus/$target"
	mkdir -p "$corpus"
	# shellcheck disable=SC2046
	"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -I"$top/build" -I"$top/common" -I"$top/feeds" -I"$top/publisher" \
	    $(pkg-config --cflags $pkgs) -o "$out/$name" "$src" \
	    "$top"/common/*.c "$top"/feeds/*.c \
	    $(ls "$top"/publisher/*.c | grep -v pub_main.c) \
	    "$top/build/gen/pub_web_assets.c" \
	    $(pkg-config --libs $pkgs) -lm
	echo "== $name ($seconds s)"
	mkdir -p "$out/corpus-$target"
	"$out/$name" -max_total_time="$seconds" -max_len=1048576 \
	    -artifact_prefix="$out/" "$out/corpus-$target" "$corpus"
done
