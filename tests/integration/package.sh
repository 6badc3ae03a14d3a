#!/bin/sh
# SPDX-License-Identifier: ISC
# A citizen of its ecosystem: every source names its licence (SPDX) and
# --version says it; tools/deps.sh without dpkg (pkg-config alone decides,
# a missing .pc is named).  Then whole builds, left to make check: the
# make dist tarball builds, two builds of it in different directories are
# the same binary, and dpkg-buildpackage gives a lintian-clean .deb whose
# installed binary runs and finds its themes in /usr.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
version=$(sed -n 's/^#define MAILSCOPE_VERSION[^"]*"\(.*\)"/\1/p' \
    src/base/base.h)

# --- the licence ------------------------------------------------------------
spdx_c='/* SPDX-License-Identifier: ISC */'
spdx_sh='# SPDX-License-Identifier: ISC'
n=0
bad=
for f in $(find src tui tests/unit tests/fuzz -name '*.[ch]' | sort); do
	n=$((n + 1))
	[ "$(head -n 1 "$f")" = "$spdx_c" ] || bad="$bad $f"
done
[ "$n" -gt 50 ] && [ -z "$bad" ] &&
    pass "SPDX: the first line of all $n C sources and headers" ||
    fail "SPDX: missing in$bad"
n=0
bad=
for f in $(find . \( -path ./tests/out -o -path ./build -o -path ./build-asan \
    -o -path ./.git \) -prune -o \( -name '*.sh' -o -name '*.py' \) -print |
    sort) Makefile debian/rules tests/valgrind/mailscope; do
	n=$((n + 1))
	l1=$(sed -n 1p "$f")
	l2=$(sed -n 2p "$f")
	case $l1 in
	"#!"*) [ "$l2" = "$spdx_sh" ] ;;
	*) [ "$l1" = "$spdx_sh" ] ;;
	esac || bad="$bad $f"
done
[ "$n" -gt 40 ] && [ -z "$bad" ] &&
    pass "SPDX: after the #! line of all $n scripts and the Makefiles" ||
    fail "SPDX: missing in$bad"
grep -q 'Permission to use, copy, modify, and distribute this software' \
    LICENSE && grep -q '^Copyright (c) 2026 the mailscope authors$' LICENSE &&
    pass "LICENSE: the ISC licence, the mailscope authors" ||
    fail "LICENSE: not the ISC text"
"$MAILSCOPE" --version > "$T/version" 2>&1
contains "$T/version" "^mailscope $version\$" "--version: the version"
contains "$T/version" '^Licence: ISC ' "--version: a second line names the licence"
# Options that answer and stop free what option parsing took (make
# check: the quick loop has no sanitizer build of the program).
if [ -z "${MAILSCOPE_QUICK:-}" ]; then
	for a in --version '--completion bash'; do
		expect_exit 0 "$a under AddressSanitizer: exit 0, nothing leaked" \
		    "$ASAN_MAILSCOPE" $a
	done
fi

# --- debian/ agrees with the tree --------------------------------------------
[ "$(sed -n '1s/^mailscope (\([^)]*\)).*/\1/p' debian/changelog)" = "$version" ] &&
    pass "debian/changelog: version $version, the program's" ||
    fail "debian/changelog: version is not $version"
bad=
for p in $(sed -n '/^build_pkgs="/,/"$/p' tools/deps.sh | tr -d '"' |
    sed 's/^build_pkgs=//'); do
	case $p in gcc | make) continue ;; esac	# build-essential
	grep -Eq "^[[:space:]]+$p,?\$|^Build-Depends:.* $p,?\$" debian/control ||
	    bad="$bad $p"
done
[ -z "$bad" ] && pass "debian/control: Build-Depends has the build list of tools/deps.sh" ||
    fail "debian/control: Build-Depends lacks$bad"

# --- tools/deps.sh where there is no dpkg --------------------------------------
# A PATH with every command of this machine but dpkg's, and a copy of the
# tree with its objects: make checks with pkg-config and links again.
nodpkg=$T/nodpkg
rm -rf "$nodpkg" "$T/tree"
mkdir -p "$nodpkg" "$T/tree"
# One cp per directory, not one ln per command; the first of a name wins,
# in PATH order.
for d in /usr/local/bin /usr/bin /usr/sbin; do
	cp -s -n "$d"/* "$nodpkg/" 2> /dev/null
done
rm -f "$nodpkg"/dpkg*
PATH=$nodpkg command -v dpkg-query > /dev/null &&
    fail "no dpkg: dpkg-query still on the PATH" ||
    pass "no dpkg: a PATH without dpkg-query"
cp -a Makefile mailscope.1 src tui themes tools build "$T/tree/"
rm -f "$T/tree/build/mailscope"
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$T/tree" "$@"
}
PATH=$nodpkg mk > "$T/nodpkg.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && [ -x "$T/tree/mailscope" ] &&
    pass "no dpkg: make builds, pkg-config finding every .pc" ||
    fail "no dpkg: make exit $rc: $(tail -n 3 "$T/nodpkg.out")"
lacks "$T/nodpkg.out" 'missing|dpkg' "no dpkg: make says nothing of packages"
PATH=$nodpkg sh tools/deps.sh test > "$T/nodpkg-test.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -q 'no dpkg here: .* postfix ' "$T/nodpkg-test.out" &&
    pass "no dpkg: deps.sh test lists the tools and goes on" ||
    fail "no dpkg: deps.sh test exit $rc"

# pkg-config without libunbound.pc: named before anything is compiled,
# with dpkg and without it.
fakepc=$T/fakepc
rm -rf "$fakepc"
mkdir -p "$fakepc"
cat > "$fakepc/pkg-config" << EOF
#!/bin/sh
for a; do
	case \$a in libunbound) echo "Package libunbound was not found" >&2; exit 1 ;; esac
done
exec $(command -v pkg-config) "\$@"
EOF
chmod 755 "$fakepc/pkg-config"
touch "$T/tree/src/base/util.c"
for how in nodpkg dpkg; do
	if [ $how = nodpkg ]; then p=$fakepc:$nodpkg; else p=$fakepc:$PATH; fi
	PATH=$p mk > "$T/nopc-$how.out" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && pass "$how, no libunbound.pc: make fails" ||
	    fail "$how, no libunbound.pc: make exit 0"
	contains "$T/nopc-$how.out" \
	    "^mailscope: pkg-config cannot find libunbound\.pc: install libunbound's development files\$" \
	    "$how, no libunbound.pc: the .pc file named"
	lacks "$T/nopc-$how.out" 'undefined reference|CC |error:' \
	    "$how, no libunbound.pc: nothing compiled or linked"
done

# --- whole builds: left to make check ------------------------------------------
[ -n "${MAILSCOPE_QUICK:-}" ] && exit 0
dist=mailscope-$version
rm -rf "$T/a" "$T/b" "$T/deb" "$T/root" "$T/$dist.tar.gz"
check "make dist: exit 0" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s dist
mv -f "$dist.tar.gz" "$T/" 2> /dev/null
tar tzf "$T/$dist.tar.gz" > "$T/dist.list" 2> /dev/null
grep -v "^$dist/" "$T/dist.list" > "$T/dist.outside"
[ -s "$T/dist.list" ] && [ ! -s "$T/dist.outside" ] &&
    pass "make dist: $dist.tar.gz, everything under $dist/" ||
    fail "make dist: no tarball, or files outside $dist/"
for f in LICENSE Makefile debian/rules src/base/base.h themes/light.theme \
    tests/run.sh; do
	grep -qx "$dist/$f" "$T/dist.list" || fail "make dist: $f missing"
done
grep -q '/tests/out/' "$T/dist.list" &&
    fail "make dist: test output in the tarball" ||
    pass "make dist: the sources, no test output"

# Two unpacked copies at different depths; one makes its own tarball,
# from the file list (no git there): the same files.
mkdir -p "$T/a" "$T/b/deeper/still" "$T/deb"
tar xzf "$T/$dist.tar.gz" -C "$T/a"
tar xzf "$T/$dist.tar.gz" -C "$T/b/deeper/still"
tar xzf "$T/$dist.tar.gz" -C "$T/deb"
(cd "$T/a/$dist" && make -s dist > /dev/null 2>&1 &&
    tar tzf "$dist.tar.gz" && rm -f "$dist.tar.gz") | grep -v '/$' |
    sort > "$T/dist2.list"
grep -v '/$' "$T/dist.list" | sort | cmp -s - "$T/dist2.list" &&
    pass "make dist outside git: the same files as from git" ||
    fail "make dist outside git: other files than from git"

# The three builds side by side: they are CPU work, and the machine has
# more than one core.
(cd "$T/a/$dist" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s) \
    > "$T/build-a.out" 2>&1 &
pa=$!
(cd "$T/b/deeper/still/$dist" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s) > "$T/build-b.out" 2>&1 &
pb=$!
(cd "$T/deb/$dist" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    dpkg-buildpackage -us -uc -b) > "$T/deb.out" 2>&1 &
pd=$!
wait $pa && [ -x "$T/a/$dist/mailscope" ] &&
    pass "tar x; make: the tarball builds" ||
    fail "tar x; make: $(tail -n 3 "$T/build-a.out")"
wait $pb
"$T/a/$dist/mailscope" --version > "$T/a.version" 2>&1
contains "$T/a.version" "^mailscope $version\$" "tar x; make: the program runs"
cmp "$T/a/$dist/mailscope" "$T/b/deeper/still/$dist/mailscope" \
    > "$T/cmp.out" 2>&1 &&
    pass "reproducible: two builds in different directories, one binary" ||
    fail "reproducible: $(cat "$T/cmp.out")"
grep -qaF "$T" "$T/a/$dist/mailscope" &&
    fail "reproducible: the build path is in the binary" ||
    pass "reproducible: no build path in the binary (debug info included)"

wait $pd
rc=$?
deb=$T/deb/mailscope_${version}_$(dpkg --print-architecture).deb
[ "$rc" -eq 0 ] && [ -f "$deb" ] &&
    pass "dpkg-buildpackage -us -uc -b: $(basename "$deb")" ||
    fail "dpkg-buildpackage: exit $rc: $(tail -n 3 "$T/deb.out")"
lintian --fail-on error,warning "$T/deb/mailscope_${version}_"*.changes \
    > "$T/lintian.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && pass "lintian: exit 0" || fail "lintian: exit $rc"
lacks "$T/lintian.out" '^[EW]: ' "lintian: no error or warning"
dpkg -c "$deb" > "$T/deb.list" 2>&1
for f in ./usr/bin/mailscope ./usr/share/man/man1/mailscope.1.gz \
    ./usr/share/mailscope/themes/light.theme \
    ./usr/share/doc/mailscope/copyright; do
	grep -q " $f\$" "$T/deb.list" || fail "deb: $f missing"
done
contains "$T/deb.list" ' \./usr/share/mailscope/themes/mono\.theme$' \
    "deb: the program, its man page, themes and copyright"
lacks "$T/deb.list" '/usr/local' "deb: nothing in /usr/local"

# Installed in a scratch root, the program runs and, with that root's
# /usr/share seen as the system's (a private mount namespace), finds the
# themes where the package put them.
dpkg -x "$deb" "$T/root"
"$T/root/usr/bin/mailscope" --version > "$T/root.version" 2>&1
contains "$T/root.version" "^mailscope $version\$" "installed: --version"
contains "$T/root.version" '^Licence: ISC ' "installed: the licence line"
mkdir -p "$T/home/config"
if unshare -m sh -c "mount -t overlay overlay \
    -o lowerdir=$T/root/usr/share:/usr/share /usr/share" 2> /dev/null; then
	tui_start pkg 100 30 env -u MAILSCOPE_THEMEDIR HOME="$T/home" \
	    XDG_CONFIG_HOME="$T/home/config" XDG_STATE_HOME="$T/home" \
	    LANG=C.UTF-8 unshare -m sh -c "mount -t overlay overlay \
	    -o lowerdir=$T/root/usr/share:/usr/share /usr/share &&
	    exec $T/root/usr/bin/mailscope --lab --theme light"
	check "installed: the TUI starts with --theme light" \
	    tui_wait pkg 'lab\.mailscope\.test'
	bad=
	tui_line pkg ':theme'
	tui_wait pkg 'theme light; available:'
	grep 'theme light; available:' "$T/pkg.screen" > "$T/pkg.themes"
	for t in default light high-contrast mono; do
		grep -q " $t\( \|\$\)" "$T/pkg.themes" || bad="$bad $t"
	done
	[ -s "$T/pkg.themes" ] && [ -z "$bad" ] &&
	    pass "installed: :theme lists the package's themes" ||
	    fail "installed: :theme lacks$bad: $(cat "$T/pkg.screen")"
	lacks "$T/pkg.screen" 'not found' "installed: no theme missing"
	tui_line pkg ':quit'
	tui_stop pkg
else
	# No mount namespace here: the lookup's parts, one by one.
	grep -qaF /usr/share/mailscope/themes "$T/root/usr/bin/mailscope" &&
	    [ -f "$T/root/usr/share/mailscope/themes/light.theme" ] &&
	    pass "installed: looks in /usr/share/mailscope/themes, where the themes are" ||
	    fail "installed: theme directory and files disagree"
fi
