#!/bin/sh
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

# Symbols: who defines what, then what each archive needs from the others.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for l in $all; do
	a=$build/lib$l.a
	[ "$l" = cmd ] && a="$build/libcmd.a $build/src/cmd/main.o"
	# One listing for both: "ADDR TYPE NAME" defined, "U NAME" (or w,
	# v) undefined.
	# shellcheck disable=SC2086
	nm -g $a 2> /dev/null | awk -v d="$tmp/$l.def.u" -v u="$tmp/$l.und.u" \
	    'NF == 3 { print $3 > d } NF == 2 { print $2 > u }'
	sort -u "$tmp/$l.def.u" > "$tmp/$l.def" 2> /dev/null
	sort -u "$tmp/$l.und.u" > "$tmp/$l.und" 2> /dev/null
	if [ ! -s "$tmp/$l.def" ]; then
		echo "FAIL: layers: $l symbols ($a not built)"
		failed=$((failed + 1))
	fi
done
for l in $all; do
	[ -s "$tmp/$l.def" ] || continue
	ok=$(allowed "$l")
	bad=
	for o in $all; do
		[ "$o" = "$l" ] && continue
		case " $ok " in
		*" $o "*)	continue ;;
		esac
		calls=$(comm -12 "$tmp/$l.und" "$tmp/$o.def" | tr '\n' ' ')
		[ -n "$calls" ] && bad="$bad    $l calls $o: $calls
"
	done
	if [ -n "$bad" ]; then
		printf '%s' "$bad"
		echo "FAIL: layers: $l symbols"
		failed=$((failed + 1))
	else
		echo "PASS: layers: $l symbols"
	fi
done

# Panes (tui/panes/*.c): none calls the engine or another pane.  What a
# pane needs from either is in the model tui.c owns.  Each object's
# symbols are listed once, then compared pairwise.
for f in tui/panes/*.c; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .c)
	o=$build/tui/panes/$n.o
	[ -f "$o" ] || continue
	nm -g "$o" 2> /dev/null | awk -v d="$tmp/pane-$n.def.u" \
	    -v u="$tmp/pane-$n.und.u" \
	    'NF == 3 { print $3 > d } NF == 2 { print $2 > u }'
	sort -u "$tmp/pane-$n.def.u" > "$tmp/pane-$n.def" 2> /dev/null
	sort -u "$tmp/pane-$n.und.u" > "$tmp/pane-$n.und" 2> /dev/null
done
for f in tui/panes/*.c; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .c)
	o=$build/tui/panes/$n.o
	if [ ! -f "$o" ]; then
		echo "FAIL: layers: pane $n ($o not built)"
		failed=$((failed + 1))
		continue
	fi
	bad=$(grep -E '^pp_' "$tmp/pane-$n.und" | tr '\n' ' ')
	[ -n "$bad" ] && echo "    pane $n calls the engine: $bad"
	for g in tui/panes/*.c; do
		m=$(basename "$g" .c)
		[ "$m" = "$n" ] && continue
		[ -f "$tmp/pane-$m.def" ] || continue
		calls=$(comm -12 "$tmp/pane-$n.und" "$tmp/pane-$m.def" |
		    tr '\n' ' ')
		if [ -n "$calls" ]; then
			echo "    pane $n calls pane $m: $calls"
			bad="$bad $calls"
		fi
	done
	if [ -n "$bad" ]; then
		echo "FAIL: layers: pane $n"
		failed=$((failed + 1))
	else
		echo "PASS: layers: pane $n"
	fi
done
[ "$failed" -eq 0 ]
