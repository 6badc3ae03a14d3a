#!/bin/sh
# SPDX-License-Identifier: ISC
# make layers: every arrow between the folders of src/ and tui/ goes the
# allowed way (ARCHITECTURE.md).  Two checks, each able to fail alone:
#   includes  a file includes only its own folder's headers and the public
#             header of a layer below it; the engine's private header
#             (core/proto/proto_int.h) only from src/core;
#   symbols   each layer's archive calls only functions defined in its own
#             archive, a layer below it, or a system library.
# Prints one "PASS: ..." or "FAIL: ..." line per layer and check.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}

# The layers each layer may use, besides itself.
allowed() {
	case $1 in
	cmd)	echo "tui render explain lab core log base" ;;
	tui)	echo "render explain lab core log base" ;;
	render)	echo "explain log base" ;;
	explain) echo "log base" ;;
	lab)	echo "base" ;;
	core)	echo "log base" ;;
	log)	echo "base" ;;
	base)	echo "" ;;
	esac
}

dir_of() {
	case $1 in
	tui)	echo tui ;;
	*)	echo "src/$1" ;;
	esac
}

failed=0
all="cmd tui render explain lab core log base"

for l in $all; do
	d=$(dir_of "$l")
	ok=$(allowed "$l")
	bad=$(grep -n '^#include "' $(find "$d" -name '*.[ch]') /dev/null |
	    while IFS= read -r line; do
		file=${line%%:*}
		# The name between the quotes, without a process per line.
		inc=${line#*#include \"}
		inc=${inc%%\"*}
		case $inc in
		*/*)	;;
		*)	continue ;;	# its own folder
		esac
		top=${inc%%/*}
		if [ "$inc" = core/proto/proto_int.h ]; then
			case $file in
			src/core/*)	continue ;;
			esac
			echo "$file includes the engine's private header"
			continue
		fi
		case $inc in
		*_int.h)
			[ "$top" = "$l" ] && continue
			echo "$file includes $inc, another layer's internals"
			continue ;;
		esac
		[ "$top" = "$l" ] && continue
		case " $ok " in
		*" $top "*)	;;
		*)	echo "$file includes $inc: $l may not use $top" ;;
		esac
	done)
	if [ -n "$bad" ]; then
		echo "$bad" | sed 's/^/    /'
		echo "FAIL: layers: $l includes"
		failed=$((failed + 1))
	else
		echo "PASS: layers: $l includes"
	fi
done

# Symbols: who defines what, then what each archive needs from the others,
# from one listing of every archive and pane object (nm -A: "FILE:MEMBER:
# ADDR TYPE NAME" defined, "FILE:MEMBER: TYPE NAME" undefined), sorted by
# name so that each list below comes out sorted.
# Panes (tui/panes/*.c): none calls the engine or another pane.  What a
# pane needs from either is in the model tui.c owns.
panes=
for f in tui/panes/*.c; do
	[ -f "$f" ] && panes="$panes $(basename "$f" .c)"
done
objs=
for l in $all; do
	objs="$objs $build/lib$l.a"
done
for n in $panes; do
	objs="$objs $build/tui/panes/$n.o"
done
# shellcheck disable=SC2086
nm -g -A $objs "$build/src/cmd/main.o" 2> /dev/null |
    awk -v build="$build/" '{
	file = substr($1, 1, index($1, ":") - 1)
	sub("^" build, "", file)
	if (file ~ /^lib.*\.a$/)
		unit = substr(file, 4, length(file) - 5)
	else if (file == "src/cmd/main.o")
		unit = "cmd"
	else {
		sub(/^tui\/panes\//, "", file)
		unit = "pane:" substr(file, 1, length(file) - 2)
	}
	print unit, ($1 ~ /:$/ ? "und" : "def"), $3
    }' | LC_ALL=C sort -u -k3,3 -k1,2 |
    awk -v all="$all" -v panes="$panes" -v build="$build" \
	-v allowed_cmd="$(allowed cmd)" -v allowed_tui="$(allowed tui)" \
	-v allowed_render="$(allowed render)" \
	-v allowed_explain="$(allowed explain)" \
	-v allowed_lab="$(allowed lab)" -v allowed_core="$(allowed core)" \
	-v allowed_log="$(allowed log)" -v allowed_base="$(allowed base)" '
function flush(   i, j, u, v) {
	for (i = 1; i <= nu; i++) {
		u = und[i]
		for (j = 1; j <= nd; j++) {
			v = def[j]
			if (u == v)
				continue
			if (u !~ /^pane:/ && v !~ /^pane:/ && !ok[u, v])
				calls[u, v] = calls[u, v] name " "
			if (u ~ /^pane:/ && v ~ /^pane:/)
				calls[u, v] = calls[u, v] name " "
		}
		if (u ~ /^pane:/ && name ~ /^pp_/)
			engine[u] = engine[u] name " "
	}
	nu = nd = 0
}
BEGIN {
	nl = split(all, L, " ")
	np = split(panes, P, " ")
	al["cmd"] = allowed_cmd; al["tui"] = allowed_tui
	al["render"] = allowed_render; al["explain"] = allowed_explain
	al["lab"] = allowed_lab; al["core"] = allowed_core
	al["log"] = allowed_log; al["base"] = allowed_base
	for (i = 1; i <= nl; i++) {
		n = split(al[L[i]], A, " ")
		for (j = 1; j <= n; j++)
			ok[L[i], A[j]] = 1
	}
}
$3 != name { flush(); name = $3 }
{
	built[$1] = 1
	if ($2 == "def")
		def[++nd] = $1
	else
		und[++nu] = $1
}
END {
	flush()
	failed = 0
	for (i = 1; i <= nl; i++) {
		if (built[L[i]])
			continue
		a = build "/lib" L[i] ".a"
		if (L[i] == "cmd")
			a = a " " build "/src/cmd/main.o"
		print "FAIL: layers: " L[i] " symbols (" a " not built)"
		failed++
	}
	for (i = 1; i <= nl; i++) {
		l = L[i]
		if (!built[l])
			continue
		bad = 0
		for (j = 1; j <= nl; j++)
			if (calls[l, L[j]] != "") {
				print "    " l " calls " L[j] ": " calls[l, L[j]]
				bad = 1
			}
		print (bad ? "FAIL" : "PASS") ": layers: " l " symbols"
		failed += bad
	}
	for (i = 1; i <= np; i++) {
		n = "pane:" P[i]
		if (!built[n]) {
			print "FAIL: layers: pane " P[i] " (" build \
			    "/tui/panes/" P[i] ".o not built)"
			failed++
			continue
		}
		bad = engine[n] != ""
		if (bad)
			print "    pane " P[i] " calls the engine: " engine[n]
		for (j = 1; j <= np; j++)
			if (calls[n, "pane:" P[j]] != "") {
				print "    pane " P[i] " calls pane " P[j] ": " \
				    calls[n, "pane:" P[j]]
				bad = 1
			}
		print (bad ? "FAIL" : "PASS") ": layers: pane " P[i]
		failed += bad
	}
	exit failed > 0
}' || failed=$((failed + 1))
[ "$failed" -eq 0 ]
