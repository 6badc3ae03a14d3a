#!/bin/sh
# SPDX-License-Identifier: ISC
# The build foundation: make install / uninstall / clean with a PREFIX
# and a DESTDIR, and tools/deps.sh when not root.  Make runs in a copy of
# the tree (with its build/ objects) so the tree under test is untouched.
. "$(dirname "$0")/../lib.sh"

tree=$T/tree
rm -rf "$tree" "$T/prefix" "$T/stage"
mkdir -p "$tree"
(cd "$TOP" && cp -a Makefile mailscope.1 src tui themes tools build "$tree/")

# A make of its own, not a job of the make that runs the tests.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$tree" "$@"
}

# --- install with a PREFIX ---------------------------------------------------
p=$T/prefix
check "make install PREFIX=...: exit 0" mk install PREFIX="$p" DESTDIR=
[ -x "$p/bin/mailscope" ] && [ "$(stat -c %a "$p/bin/mailscope")" = 755 ] &&
    pass "install: binary, mode 0755" || fail "install: no binary in $p/bin"
[ "$(stat -c %a "$p/share/man/man1/mailscope.1" 2>/dev/null)" = 644 ] &&
    pass "install: man page, mode 0644" || fail "install: no man page"
for t in default light high-contrast mono; do
	[ -f "$p/share/mailscope/themes/$t.theme" ] ||
	    fail "install: theme $t missing"
done
[ -f "$p/share/mailscope/themes/mono.theme" ] && pass "install: themes"
"$p/bin/mailscope" --version > "$T/version" 2>&1
contains "$T/version" '^mailscope [0-9]+\.[0-9]+' "installed binary runs"
# The installed binary looks for its themes where they were installed,
# even though the objects were built before with the default PREFIX.
grep -qaF "$p/share/mailscope/themes" "$p/bin/mailscope" &&
    pass "install: the binary knows the PREFIX's theme directory" ||
    fail "install: the binary looks for themes elsewhere"
if command -v groff > /dev/null; then
	groff -man -ww -z "$p/share/man/man1/mailscope.1" > "$T/groff" 2>&1
	[ ! -s "$T/groff" ] && pass "man page: groff has no warnings" ||
	    fail "man page: $(head -n 3 "$T/groff")"
fi

check "make uninstall PREFIX=...: exit 0" mk uninstall PREFIX="$p" DESTDIR=
left=$(find "$p" -type f | head -n 3)
[ -z "$left" ] && pass "uninstall: no file left" ||
    fail "uninstall: left $left"
[ ! -e "$p/share/mailscope" ] && pass "uninstall: share/mailscope removed" ||
    fail "uninstall: share/mailscope left behind"

# --- a staged install: DESTDIR is not compiled in -----------------------------
check "make install DESTDIR=...: exit 0" mk install PREFIX=/usr DESTDIR="$T/stage"
[ -x "$T/stage/usr/bin/mailscope" ] &&
    [ -f "$T/stage/usr/share/man/man1/mailscope.1" ] &&
    [ -f "$T/stage/usr/share/mailscope/themes/default.theme" ] &&
    pass "DESTDIR: everything under the stage" || fail "DESTDIR: files missing"
grep -qaF "$T/stage" "$T/stage/usr/bin/mailscope" &&
    fail "DESTDIR: the stage path leaked into the binary" ||
    pass "DESTDIR: the binary names /usr, not the stage"
grep -qaF "/usr/share/mailscope/themes" "$T/stage/usr/bin/mailscope" &&
    pass "DESTDIR: the binary looks in /usr/share/mailscope/themes" ||
    fail "DESTDIR: theme directory not /usr/share/mailscope/themes"

# --- make while ./mailscope runs: the binary is replaced, not rewritten -------
# A lab in another window keeps ./mailscope busy; writing into a running
# executable fails with ETXTBSY.
check "make mailscope: exit 0" mk mailscope
"$tree/mailscope" lab > "$T/busy-lab.out" 2>&1 &
busy=$!
i=100
while [ "$i" -gt 0 ] && ! grep -q '^  smtp ' "$T/busy-lab.out"; do
	sleep 0.05
	i=$((i - 1))
done
busy_port=$(sed -n 's/^  smtp  *127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$T/busy-lab.out")
old_ino=$(stat -c %i "$tree/mailscope")
# util.c newer than its object without waiting for the clock: the
# object is made old.
touch -d '2000-01-01' "$tree/build/src/base/util.o"
check "make while ./mailscope runs: exit 0" mk mailscope
lacks "$T/last.out" 'Text file busy' "make while ./mailscope runs: no 'Text file busy'"
[ "$(stat -c %i "$tree/mailscope")" != "$old_ino" ] &&
    pass "make while ./mailscope runs: the binary replaced" ||
    fail "make while ./mailscope runs: the binary was not replaced"
[ -n "$busy_port" ] && timeout 20 "$tree/mailscope" --batch \
    "smtp://127.0.0.1:$busy_port" -c 'EHLO busy.test' < /dev/null \
    > "$T/busy-session.out" 2>&1
contains "$T/busy-session.out" '^<- 250-lab\.mailscope\.test' \
    "make while ./mailscope runs: the running lab still answers"
kill "$busy" 2> /dev/null
wait "$busy" 2> /dev/null
[ -e "$tree/mailscope.new" ] &&
    fail "make: a temporary file left beside ./mailscope" ||
    pass "make: no temporary file left beside ./mailscope"

# --- layers: an arrow up the stack is caught ---------------------------------
# make check's: make test runs the check on the tree itself, and these
# rebuild archives.
if [ -z "${MAILSCOPE_QUICK:-}" ]; then
	check "make layers: exit 0 on the tree as it is" mk layers
	cp "$tree/src/log/event.c" "$T/event.c.orig"
	echo '#include "core/core.h"' >> "$tree/src/log/event.c"
	mk layers > "$T/layers-inc.out" 2>&1 &&
	    fail "make layers: the log including core passed" ||
	    pass "make layers: the log including core fails"
	contains "$T/layers-inc.out" 'src/log/event\.c includes core/core\.h' \
	    "make layers: names the file and the header"
	cp "$T/event.c.orig" "$tree/src/log/event.c"
	cp "$tree/src/base/util.c" "$T/util.c.orig"
	cat >> "$tree/src/base/util.c" << 'EOF'
struct evlog;
size_t	 evlog_count(const struct evlog *);
size_t	 layers_probe(const struct evlog *);
size_t
layers_probe(const struct evlog *l)
{
	return evlog_count(l);
}
EOF
	mk layers > "$T/layers-sym.out" 2>&1 &&
	    fail "make layers: base calling the log passed" ||
	    pass "make layers: base calling the log fails"
	contains "$T/layers-sym.out" 'base calls log: evlog_count' \
	    "make layers: names the call"
	cp "$T/util.c.orig" "$tree/src/base/util.c"
fi

# --- clean ---------------------------------------------------------------------
check "make clean: exit 0" mk clean
[ ! -e "$tree/build" ] && [ ! -e "$tree/build-asan" ] &&
    [ ! -e "$tree/mailscope" ] && pass "clean: build trees and binary gone" ||
    fail "clean: something left: $(ls "$tree")"
[ -f "$tree/src/cmd/main.c" ] && pass "clean: sources kept" ||
    fail "clean: removed sources"

# --- deps.sh, not root: the exact apt-get line, nothing installed ---------------
fake=$T/fakebin
rm -rf "$fake"
mkdir -p "$fake"
# dpkg-query (-W -f=FORMAT PACKAGE...) says libjansson-dev is missing;
# apt-get must never run.
cat > "$fake/dpkg-query" <<'EOF'
#!/bin/sh
shift 2
for p; do
	[ "$p" = libjansson-dev ] || echo "$p install ok installed"
done
EOF
printf '#!/bin/sh\necho ran >> %s/apt-get.ran\nexit 1\n' "$fake" > "$fake/apt-get"
cp "$TOP/tools/deps.sh" "$fake/deps.sh"
chmod 755 "$fake" "$fake/dpkg-query" "$fake/apt-get" "$fake/deps.sh"
chmod 777 "$fake"
if [ "$(id -u)" = 0 ]; then
	asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	asuser=
fi
PATH=$fake:$PATH $asuser sh "$fake/deps.sh" build > "$T/deps.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass "deps.sh, not root, package missing: exit 1" ||
    fail "deps.sh, not root: exit $rc"
contains "$T/deps.out" '^mailscope: missing packages: libjansson-dev$' \
    "deps.sh: names the missing package"
contains "$T/deps.out" '^mailscope: install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends libjansson-dev$' \
    "deps.sh: prints the exact apt-get line"
[ ! -e "$fake/apt-get.ran" ] && pass "deps.sh, not root: apt-get never runs" ||
    fail "deps.sh, not root: apt-get ran"
PATH=$fake:$PATH $asuser sh "$fake/deps.sh" test > "$T/deps-test.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$T/deps-test.out" ] &&
    pass "deps.sh test, nothing missing: silent, exit 0" ||
    fail "deps.sh test, nothing missing: exit $rc $(cat "$T/deps-test.out")"

# --- other compilers and flags: whole builds, left to make check ----------------
# clang (with its own warnings, as errors) and the unit tests it builds;
# gcc with link-time optimisation and Debian's hardening flags, whose
# whole-program view finds what one file at a time does not; a user's
# CFLAGS never drop the language standard or the warnings.
[ -n "${MAILSCOPE_QUICK:-}" ] && exit 0
fresh() {
	rm -rf "$T/$1"
	mkdir -p "$T/$1"
	(cd "$TOP" && cp -a Makefile README.md mailscope.1 src tui themes tools \
	    "$T/$1/")
	mkdir -p "$T/$1/tests"
	cp -a "$TOP/tests/unit" "$TOP/tests/data" "$T/$1/tests/"
}
if command -v clang > /dev/null; then
	fresh clang
	check "make CC=clang: the program and the unit tests build" \
	    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$T/clang" \
	    CC=clang build/mailscope unit
	n=0
	bad=
	for t in $(cd "$T/clang" && find build/tests/unit -name 'test_*' \
	    ! -name '*.o' | sort); do
		n=$((n + 1))
		(cd "$T/clang" && "./$t") > "$T/clang-unit.out" 2>&1 ||
		    bad="$bad $t"
	done
	[ "$n" -gt 0 ] && [ -z "$bad" ] &&
	    pass "clang: the $n unit test programs pass" ||
	    fail "clang: unit tests failing:${bad:- none built}"
else
	fail "clang is not installed (tools/deps.sh test)"
fi
fresh lto
check "gcc -flto=auto with Debian's hardening flags: builds" \
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$T/lto" \
    CFLAGS="$(dpkg-buildflags --get CFLAGS 2> /dev/null) -flto=auto" \
    CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS 2> /dev/null)" \
    LDFLAGS="$(dpkg-buildflags --get LDFLAGS 2> /dev/null) -flto=auto" \
    build/mailscope
"$T/lto/build/mailscope" --version > "$T/lto.version" 2>&1
contains "$T/lto.version" '^mailscope [0-9]' "gcc -flto=auto: the program runs"
printf 'int\nms_probe(void)\n{\n\tint x;\n\treturn x;\n}\n' > "$T/lto/src/base/probe_warn.c"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$T/lto" CFLAGS=-O0 \
    build/src/base/probe_warn.o > "$T/o0.out" 2>&1 &&
    fail "make CFLAGS=-O0: a warning no longer stops the build" ||
    pass "make CFLAGS=-O0: warnings are still errors"
contains "$T/o0.out" 'Werror' "make CFLAGS=-O0: the warning named, as an error"
