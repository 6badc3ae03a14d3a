#!/bin/sh
# SPDX-License-Identifier: ISC
# Find missing Debian packages and install them when we can.
#   deps.sh build [--check]   libraries and tools to build mailscope
#   deps.sh test              servers and tools the test suite drives
# As root, missing packages are installed with apt-get (after apt-get
# update); otherwise the exact apt-get line is printed and we stop.
# For build, the libraries the Makefile links ($PKGS, which make passes)
# must then be known to pkg-config: a missing .pc file is named.  Where
# there is no dpkg, that pkg-config check is the whole check.
set -u
what=${1:-build}
mode=${2:-install}

# libevent-dev: libunbound.pc requires libevent.pc, without which
# pkg-config --cflags fails for every package at once.
build_pkgs="gcc make pkg-config libncurses-dev libgnutls28-dev
	libreadline-dev libjansson-dev libcmocka-dev libgsasl-dev gnutls-bin
	libgnutls-dane0 libunbound-dev libevent-dev dns-root-data
	libcurl4-gnutls-dev"
test_pkgs="postfix dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd
	dovecot-managesieved dovecot-sieve
	gnutls-bin tmux python3 openssl swaks clang libclang-rt-dev strace
	valgrind libxml2-utils hyperfine procps iproute2 time psmisc findutils
	coreutils libnet-ssleay-perl libio-socket-ssl-perl testssl.sh nsd
	ldnsutils dpkg-dev parallel nginx-light debhelper lintian mandoc tshark
	tcpdump zsh fish python3-jsonschema microsocks chromium-headless-shell
	curl msmtp fetchmail s-nail"

case $what in
build) pkgs=$build_pkgs ;;
test) pkgs=$test_pkgs ;;
*) echo "usage: deps.sh build|test [--check]" >&2; exit 1 ;;
esac

# Every library the Makefile links, found by pkg-config: without this a
# missing .pc file shows as hundreds of undefined references.
pc_check() {
	[ "$what" = build ] && [ -n "${PKGS:-}" ] || return 0
	pc=${PKG_CONFIG:-pkg-config}
	if ! command -v "$pc" > /dev/null 2>&1; then
		echo "mailscope: $pc not found: install pkg-config (or pkgconf)" >&2
		return 1
	fi
	# One call when all are there (every make pays this check); one
	# each only to name what is missing.
	# shellcheck disable=SC2086
	"$pc" --exists $PKGS 2> /dev/null && return 0
	for p in $PKGS; do
		"$pc" --exists "$p" 2> /dev/null && continue
		echo "mailscope: pkg-config cannot find $p.pc: install $p's development files" >&2
	done
	return 1
}

if ! command -v dpkg-query > /dev/null 2>&1; then
	if [ "$what" = test ]; then
		echo "mailscope: no dpkg here: the test suite drives these Debian packages' tools:" $pkgs >&2
		exit 0
	fi
	pc_check
	exit
fi

# One dpkg-query for the whole list: a line "NAME STATUS" for each package
# it knows (installed or not); one it has never heard of prints nothing.
# shellcheck disable=SC2086
ok=$(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2> /dev/null |
    awk '/ install ok installed$/ { print $1 }' | tr '\n' ' ')
missing=
for p in $pkgs; do
	case " $ok" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -z "$missing" ]; then
	pc_check
	exit
fi

line="apt-get install -y --no-install-recommends$missing"
if [ "$mode" = --check ] || [ "$(id -u)" != 0 ]; then
	echo "mailscope: missing packages:$missing" >&2
	echo "mailscope: install them with: sudo apt-get update && sudo $line" >&2
	[ "$mode" = --check ] && echo "mailscope: (or run 'make run' / 'make check' as root)" >&2
	exit 1
fi

echo "mailscope: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 || exit 1
# Mail servers must not start system daemons on ports 25/143/993.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	policy=1
fi
echo "postfix postfix/main_mailer_type select No configuration" |
	debconf-set-selections 2>/dev/null
# tshark asks whether non-root users may capture: they may not.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections 2>/dev/null
$line >&2
rc=$?
[ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
[ "$rc" -eq 0 ] || exit "$rc"
pc_check
