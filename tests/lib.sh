# SPDX-License-Identifier: ISC
# Shared helpers for tests/integration/*.sh (POSIX sh; source it with
# `. "$(dirname "$0")/../lib.sh"`).  Every assertion prints exactly one
# line, "PASS: what" or "FAIL: what", which tests/run.sh counts.
#
# Variables set here:
#   TOP             absolute path of the source tree
#   MAILSCOPE       $TOP/mailscope (under valgrind memcheck when
#                   MAILSCOPE_VALGRIND is set: tests/valgrind/run.sh)
#   ASAN_MAILSCOPE  $TOP/build-asan/mailscope ($MAILSCOPE in the quick
#                   loop, which keeps the sanitizers for the unit tests)
#   T               scratch directory of this test:
#                   tests/out/integration/<test name>
#   SERVERS         1 when tests/out/servers/env was loaded (then every
#                   variable of that file is set: SMTP_PORT, CA, USER, ...)
# The output of the last check/expect_exit command is kept in $LAST
# (default $T/last.out: sections of a suite run side by side set their
# own); when such an assertion fails its last lines are printed too.

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
MAILSCOPE=$TOP/mailscope
[ -n "${MAILSCOPE_VALGRIND:-}" ] && MAILSCOPE=$TOP/tests/valgrind/mailscope
ASAN_MAILSCOPE=$TOP/build-asan/mailscope
# make test: the suites on the plain build, which starts in a tenth of the
# time; make check runs them under ASan + UBSan.
[ -n "${MAILSCOPE_QUICK:-}" ] && ASAN_MAILSCOPE=$MAILSCOPE
T=$TOP/tests/out/integration/$(basename "$0" .sh)
mkdir -p "$T"
SERVERS=
# make test runs without them, whatever an earlier run left behind.
if [ -z "${MAILSCOPE_QUICK:-}" ] && [ -f "$TOP/tests/out/servers/env" ]; then
	. "$TOP/tests/out/servers/env"
	SERVERS=1
	# For child processes such as tests/fakeserver.py case files.
	export CA GOOD_CERT GOOD_KEY EXPIRED_CERT EXPIRED_KEY WRONGHOST_CERT \
	    WRONGHOST_KEY SELFSIGNED_CERT SELFSIGNED_KEY
fi
. "$TOP/tests/pybin.sh"
# The helper scripts run hundreds of times and need the standard library
# only: they start with -S, without the site hooks (.pth files) of the
# installation, which can cost more than the script itself.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

pass() {
	echo "PASS: $*"
}

fail() {
	echo "FAIL: $*"
}

# Show the end of the last command's output under a FAIL line.
_lastout() {
	tail -n 5 "${LAST:-$T/last.out}" | sed 's/^/	| /'
}

# rc OUT N WHAT: PASS if the run whose output is $T/OUT exited N (its
# status kept in $T/OUT.rc).
rc() {
	if [ "$(cat "$T/$1.rc")" = "$2" ]; then
		pass "$3"
	else
		fail "$3 (exit $(cat "$T/$1.rc"), expected $2)"
		tail -n 5 "$T/$1" | sed 's/^/	| /'
	fi
}

# check WHAT CMD...: PASS if CMD exits 0.
check() {
	_what=$1
	shift
	if "$@" > "${LAST:-$T/last.out}" 2>&1; then
		pass "$_what"
	else
		fail "$_what"
		_lastout
	fi
}

# expect_exit N WHAT CMD...: PASS if CMD exits with status N.
expect_exit() {
	_n=$1
	_what=$2
	shift 2
	"$@" > "${LAST:-$T/last.out}" 2>&1
	_rc=$?
	if [ "$_rc" -eq "$_n" ]; then
		pass "$_what"
	else
		fail "$_what (exit $_rc, expected $_n)"
		_lastout
	fi
}

# contains FILE ERE WHAT / lacks FILE ERE WHAT
contains() {
	if grep -Eq -- "$2" "$1" 2> /dev/null; then
		pass "$3"
	else
		fail "$3 (no /$2/ in $1)"
	fi
}

lacks() {
	if [ ! -r "$1" ]; then
		fail "$3 ($1 missing)"
	elif grep -Eq -- "$2" "$1"; then
		fail "$3 (/$2/ found in $1)"
	else
		pass "$3"
	fi
}

# not_mailscope FILE...: FILE was written by the test, not by mailscope
# (a damaged or hand-made recording to feed it): tests/schema.py, which
# validates what mailscope wrote, leaves it out.
not_mailscope() {
	for _f in "$@"; do
		_l=$(dirname "$_f")/NOT-MAILSCOPE
		grep -qxF "$(basename "$_f")" "$_l" 2> /dev/null ||
		    basename "$_f" >> "$_l"
	done
}

# need_asan: what follows is about the sanitizers: make check only.
need_asan() {
	[ -z "${MAILSCOPE_QUICK:-}" ] || exit 0
	if [ ! -x "$ASAN_MAILSCOPE" ]; then
		fail "$(basename "$0" .sh): $ASAN_MAILSCOPE missing (make build-asan/mailscope)"
		exit 1
	fi
}

# need_servers: stop this test with one FAIL line when the servers are
# not running (the env file is missing).
need_servers() {
	# make test: what follows is for make check.
	[ -n "${MAILSCOPE_QUICK:-}" ] && exit 0
	if [ -z "$SERVERS" ]; then
		fail "$(basename "$0" .sh): test servers not running (tests/servers/start.sh)"
		exit 1
	fi
}

# gnutls_facts PORT PROTO [HOST]: what gnutls-cli negotiates with a test
# server, one KEY=VALUE per line:
#   version=TLS1.3  kx=ECDHE-SECP256R1  sig=RSA-PSS-RSAE-SHA256
#   cipher=AES-256-GCM  sha256=<leaf certificate fingerprint, lowercase hex,
#   no colons>  status=trusted|<gnutls status text>
# PROTO is smtp, imap or pop3 for STARTTLS, or tls for implicit TLS.  The
# CA is $CA (verification is reported, not enforced); HOST defaults to
# 127.0.0.1.  Returns 1 if no handshake happened.
gnutls_facts() {
	_port=$1
	_proto=$2
	_host=${3:-127.0.0.1}
	_gf=$T/gnutls-facts.$$
	if [ "$_proto" = tls ]; then
		set --
	else
		set -- "--starttls-proto=$_proto"
	fi
	timeout 10 gnutls-cli "$@" --x509cafile "$CA" --insecure \
	    --print-cert -p "$_port" "$_host" < /dev/null > "$_gf.out" 2>&1
	sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$_gf.out" |
	    awk '/BEGIN/ { n++ } n == 1' > "$_gf.pem"
	_desc=$(sed -n 's/^- Description: //p' "$_gf.out")
	if [ -z "$_desc" ] || [ ! -s "$_gf.pem" ]; then
		rm -f "$_gf.out" "$_gf.pem"
		return 1
	fi
	echo "$_desc" | sed 's/^(\([^)-]*\)-[^)]*)-(\([^)]*\))-(\([^)]*\))-(\([^)]*\)).*/version=\1\
kx=\2\
sig=\3\
cipher=\4/'
	echo "sha256=$(certtool --fingerprint --hash sha256 --infile "$_gf.pem" 2> /dev/null)"
	_st=$(sed -n 's/^- Status: //p' "$_gf.out" | sed 's/ *$//')
	case $_st in
	"The certificate is trusted.") echo "status=trusted" ;;
	*) echo "status=$_st" ;;
	esac
	rm -f "$_gf.out" "$_gf.pem"
}

# fake_start NAME CASEFILE [fakeserver options]: start tests/fakeserver.py
# on a free loopback port in the background (--max-seconds 20 unless
# given) and wait until it listens.  Sets FAKE_PORT, FAKE_PID and FAKE_LOG
# ($T/NAME.log, the server's log of the session).  Returns 1 if it did not
# come up within 5 s.
fake_start() {
	_n=$1
	_case=$2
	shift 2
	FAKE_LOG=$T/$_n.log
	rm -f "$T/$_n.port" "$FAKE_LOG"
	python3 -S "$TOP/tests/fakeserver.py" --port 0 --max-seconds 20 "$@" \
	    --log "$FAKE_LOG" --ready "$T/$_n.port" "$_case" \
	    > /dev/null 2> "$T/$_n.err" &
	FAKE_PID=$!
	_i=100
	while [ ! -s "$T/$_n.port" ]; do
		_i=$((_i - 1))
		if [ "$_i" -le 0 ] || ! kill -0 "$FAKE_PID" 2> /dev/null; then
			FAKE_PORT=
			return 1
		fi
		sleep 0.05
	done
	FAKE_PORT=$(cat "$T/$_n.port")
}

# fake_wait [SECONDS]: wait (default 10 s) for the fake server to finish
# its connections; kill it after that.  Returns its exit status, or 124
# if it had to be killed.
fake_wait() {
	_i=$((${1:-10} * 20))
	while kill -0 "$FAKE_PID" 2> /dev/null; do
		_i=$((_i - 1))
		if [ "$_i" -le 0 ]; then
			kill "$FAKE_PID" 2> /dev/null
			wait "$FAKE_PID" 2> /dev/null
			return 124
		fi
		sleep 0.05
	done
	wait "$FAKE_PID"
}

# TUI helpers: each test gets a private tmux server (socket name below),
# killed when the test exits.  Panes stay after their command exits so the
# last screen and the exit status can still be read (tmux then writes
# "Pane is dead" on the last line, which can scroll the screen by one).
TUI_SOCK=mailscope-test-$$
_tui() {
	tmux -L "$TUI_SOCK" -f "$T/tmux.conf" "$@"
}
lib_cleanup() {
	tmux -L "$TUI_SOCK" kill-server > /dev/null 2>&1
	return 0
}
trap lib_cleanup EXIT
# exit-empty off: a session started right after the last one was killed
# must not reach a server that is on its way out.
cat > "$T/tmux.conf" << 'EOF'
set -s exit-empty off
set -g default-terminal tmux-256color
set -g remain-on-exit on
set -g status off
set -g history-limit 5000
set -g escape-time 0
EOF

# tui_start NAME WIDTH HEIGHT CMD...: run CMD in a detached session of
# exactly WIDTH x HEIGHT with TERM=tmux-256color.
tui_start() {
	_n=$1
	_w=$2
	_h=$3
	shift 3
	_tui new-session -d -s "$_n" -x "$_w" -y "$_h" "$@"
}

# tui_keys NAME KEYS...: tmux send-keys (use -l for literal text).
tui_keys() {
	_n=$1
	shift
	_tui send-keys -t "$_n" "$@"
}

# tui_line NAME TEXT: type TEXT and Enter, in one tmux command (each
# costs a process start).
tui_line() {
	_tui send-keys -t "$1" -l "$2" \; send-keys -t "$1" Enter
}

# tui_screen NAME: the visible screen as plain text.
tui_screen() {
	_tui capture-pane -p -t "$1"
}

# tui_wait NAME ERE [SECONDS]: wait (default 10 s) until the screen
# matches ERE; returns 1 on timeout and keeps the last screen in
# $T/NAME.screen.  The screen is read again after 10, 20, 40, 80 ms,
# then every 100 ms: quick answers are seen at once, and a long wait
# does not start processes twenty times a second.
tui_wait() {
	_n=$1
	_re=$2
	_left=$((${3:-10} * 1000))
	_d=10
	while :; do
		if tui_screen "$_n" > "$T/$_n.screen" 2> /dev/null &&
		    grep -Eq -- "$_re" "$T/$_n.screen"; then
			return 0
		fi
		[ "$_left" -gt 0 ] || return 1
		sleep "0.$(printf %03d "$_d")"
		_left=$((_left - _d))
		_d=$((_d * 2))
		[ "$_d" -gt 100 ] && _d=100
	done
}

# tui_exit NAME: the exit status of the pane's command, empty while it runs.
# tmux 3.3 can miss the SIGCHLD of a pane whose terminal closed first and
# leave it a zombie, dead without a status; a child of the server exiting
# makes it reap every zombie, so a dead pane without status gets one run.
tui_exit() {
	_d=$(_tui display-message -p -t "$1" '#{pane_dead} #{pane_dead_status}')
	if [ "$_d" = "1 " ]; then
		_tui run-shell true
		_d=$(_tui display-message -p -t "$1" \
		    '#{pane_dead} #{pane_dead_status}')
	fi
	case $_d in
	"1 "*) echo "${_d#1 }" ;;
	esac
}

# tui_wait_exit NAME: the pane's exit status once its command ended
# (10 s); its last screen in $T/NAME-end.screen.
tui_wait_exit() {
	_i=100
	while [ $_i -gt 0 ] && [ -z "$(tui_exit "$1")" ]; do
		sleep 0.1
		_i=$((_i - 1))
	done
	tui_screen "$1" > "$T/$1-end.screen"
	tui_exit "$1"
}

tui_stop() {
	_tui kill-session -t "$1" > /dev/null 2>&1
	return 0
}
