#!/bin/sh
# SPDX-License-Identifier: ISC
# Build the libFuzzer targets with clang and run each for a while.
#   run.sh [SECONDS]   (default 60; `make check` passes 20)
# Prints "PASS: fuzz NAME" or "FAIL: fuzz NAME" per target.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-60}
out=tests/out/fuzz
mkdir -p "$out"
# libcurl's run-time name as the Makefile finds it (it is opened, not
# linked: src/core/stsfetch.c).
soname=$(env -u MAKEFLAGS make -s --no-print-directory \
    --eval='curl-soname: ; @echo $(CURL_SONAME)' curl-soname)
flags="-std=c17 -D_GNU_SOURCE -DCURL_SONAME=\"$soname\" -g -O1
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -Isrc
	$(pkg-config --cflags gnutls gnutls-dane jansson libgsasl libunbound libcurl)"
libs="$(pkg-config --libs gnutls gnutls-dane jansson libgsasl libunbound)"
if ! command -v clang >/dev/null; then
	echo "FAIL: fuzz: clang is not installed"
	exit 1
fi
# The core is compiled once, with coverage, and linked into each target;
# not the front doors (src/cmd), which no target reaches and which call
# the TUI's configuration and themes.
mkdir -p "$out/obj"
objs=
newest=$(ls -t src/*/*.h src/core/proto/*.h | head -n 1)
for c in $(find src -name '*.c' ! -path 'src/cmd/*' | sort); do
	o=$out/obj/$(echo "${c#src/}" | tr / _ | sed 's/\.c$//').o
	objs="$objs $o"
	[ "$o" -nt "$c" ] && [ "$o" -nt "$newest" ] && continue
	# shellcheck disable=SC2086
	if ! clang $flags -fsanitize=fuzzer-no-link -c -o "$o" "$c" \
	    > "$out/build.log" 2>&1; then
		echo "FAIL: fuzz: $c does not build with clang"
		tail -n 20 "$out/build.log"
		exit 1
	fi
done
for f in tests/fuzz/fuzz_*.c; do
	name=$(basename "$f" .c)
	bin=$out/$name
	# shellcheck disable=SC2086
	if ! clang $flags -fsanitize=fuzzer -o "$bin" "$f" $objs $libs \
	    > "$out/$name.build" 2>&1
	then
		echo "FAIL: fuzz $name does not build"
		tail -n 20 "$out/$name.build"
		continue
	fi
	corpus=$out/corpus-$name
	mkdir -p "$corpus"
	seeds=tests/fuzz/corpus/${name#fuzz_}
	[ "$name" = fuzz_proto ] && seeds="tests/fuzz/corpus/proto_smtp tests/fuzz/corpus/proto_imap tests/fuzz/corpus/proto_pop3"
	# shellcheck disable=SC2086
	if "$bin" -max_total_time="$secs" -max_len=4096 -rss_limit_mb=1024 \
	    -artifact_prefix="$out/$name-" \
	    -print_final_stats=1 "$corpus" $seeds > "$out/$name.log" 2>&1; then
		echo "PASS: fuzz $name ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$') runs in ${secs}s)"
	else
		echo "FAIL: fuzz $name found a crash (see $out/$name.log;" \
		    "the input is $out/$name-crash-*)"
		grep -A 15 'ERROR' "$out/$name.log" | head -n 30
	fi
done
