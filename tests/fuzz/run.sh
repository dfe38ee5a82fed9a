#!/bin/sh
# make fuzz: build each tests/fuzz/fuzz_*.c with clang's libFuzzer and
# run it for a short while on its saved corpus (new finds are saved
# into the corpus folder, to be committed as regression inputs).
set -eu
cc=${1:-clang} seconds=${2:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build-fuzz"
mkdir -p "$out"
pkgs="libsodium libzmq libcurl sqlite3 libcjson libxml-2.0 inih libsystemd"
for src in "$top"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	target=${name#fuzz_}
	corpus="$top/tests/fuzz/corpus/$target"
	mkdir -p "$corpus"
	# shellcheck disable=SC2046
	"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -I"$top/common" -I"$top/feeds" -I"$top/publisher" \
	    $(pkg-config --cflags $pkgs) -o "$out/$name" "$src" \
	    "$top"/common/*.c "$top"/feeds/*.c \
	    $(ls "$top"/publisher/*.c | grep -v pub_main.c) \
	    $(pkg-config --libs $pkgs) -lm
	echo "== $name ($seconds s)"
	"$out/$name" -max_total_time="$seconds" -max_len=1048576 "$corpus"
done
