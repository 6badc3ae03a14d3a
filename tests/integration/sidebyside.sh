#!/bin/sh
# SPDX-License-Identifier: ISC
# Side by side: recordings made here from the lab (good, strip,
# tls12-only), compared as text (export --compare) and replayed in two
# columns in tmux at 80x24, 100x30 and 200x60 (both columns shown with
# the transcript's marks and wrapped at words, the differences marked,
# stepping moves both); then --lab --side-by-side
# strip live: a typed EHLO reaches both labs, STARTTLS shows the
# difference, a credential goes only where it may.  The TUI runs from the ASan build when there is one.
set -u
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
UI=$ASAN_MAILSCOPE
[ -x "$UI" ] || UI=$MAILSCOPE
if ! command -v tmux > /dev/null 2>&1; then
	fail "sidebyside: tmux is missing (make deps-test)"
	exit 1
fi
rm -rf "$T"/*.jsonl "$T/state"
ESC=$(printf '\033')
ENV="env LANG=C.UTF-8 TERM=tmux-256color XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config"

# wait_lacks NAME ERE: until the screen no longer matches (10 s).
wait_lacks() {
	_i=100
	while [ $_i -gt 0 ]; do
		tui_screen "$1" > "$T/$1.screen"
		grep -Eq -- "$2" "$T/$1.screen" || return 0
		sleep 0.1
		_i=$((_i - 1))
	done
	return 1
}

# --- recordings from the lab ---------------------------------------------
for s in good strip tls12-only; do
	expect_exit 0 "a session with the $s lab recorded" \
	    "$MS" --lab "$s" --batch -c "EHLO sbs.test" -c STARTTLS \
	    -c "EHLO sbs.test" -c QUIT --record "$T/$s.jsonl"
done

# --- export --compare --------------------------------------------------------
expect_exit 0 "export --compare good strip" \
    "$MS" export --compare "$T/strip.jsonl" "$T/good.jsonl"
cp "$T/last.out" "$T/strip.txt"
contains "$T/strip.txt" "^A .*good\.jsonl: TLS1\.3 verified TLS_" "the head gives A's TLS in one line"
contains "$T/strip.txt" "^B .*strip\.jsonl: plaintext, closed$" "the head says B never had TLS"
contains "$T/strip.txt" "^-- greeting -" "the greetings are alike"
contains "$T/strip.txt" "^!= EHLO -" "the first EHLO differs"
contains "$T/strip.txt" "STARTTLS offered by A only; only A: STARTTLS; only B: XXXXXXXA" "the stripped capability is named"
contains "$T/strip.txt" "^<- 250-STARTTLS +\| <- 250-XXXXXXXA$" "the two capability lines face each other"
contains "$T/strip.txt" "^!! reply 220 vs 500" "STARTTLS: the replies differ"
contains "$T/strip.txt" "^<- 220 2\.0\.0 Ready to start TLS +\| <- 500 " "the go-ahead faces the refusal"
contains "$T/strip.txt" "^!! B has no such step" "the handshake is A's only"
contains "$T/strip.txt" "^== TLS ClientHello sent .*\| \(no such step\)" "B's column says it has no handshake"
contains "$T/strip.txt" "^!= QUIT -" "QUIT pairs again after the handshake"
contains "$T/strip.txt" "^!! inside TLS on A only$" "QUIT went inside TLS on A only"
contains "$T/strip.txt" "^-- close -" "both closed after QUIT"
steps=$(sed -n 's/^\([0-9]*\) steps, \([0-9]*\) differ$/\1/p' "$T/strip.txt")
[ -n "$steps" ] && pass "the head counts the steps ($steps)" ||
    fail "the head counts the steps"
expect_exit 0 "export --compare tls12-only good" \
    "$MS" export --compare "$T/good.jsonl" "$T/tls12-only.jsonl"
contains "$T/last.out" "^!= TLS handshake -" "tls12-only: the handshakes differ"
contains "$T/last.out" "^!! TLS1\.2 vs TLS1\.3" "tls12-only: the versions are named"
contains "$T/last.out" "^-- STARTTLS -" "tls12-only: STARTTLS itself is alike"
# Response injection: the same go-ahead, bytes after it on one side.
expect_exit 6 "a session with the inject-response lab recorded (exit 6)" \
    "$MS" --lab inject-response --batch -c "EHLO sbs.test" -c STARTTLS \
    -c QUIT --record "$T/inject.jsonl"
expect_exit 0 "export --compare inject-response good" \
    "$MS" export --compare "$T/inject.jsonl" "$T/good.jsonl"
contains "$T/last.out" "^!! B warns: response-injection; injected lines: 0 vs 1$" "the injected line is what differs at STARTTLS"
contains "$T/last.out" "^<- 220 2\.0\.0 Ready to start TLS +\| <- 220 2\.0\.0 Ready to start TLS$" "both go-aheads alike"
contains "$T/last.out" "^ +\| !! 250-evil\.example injected" "the injected bytes in B's column, escaped"
expect_exit 1 "--compare writes text only" \
    "$MS" export --compare "$T/good.jsonl" --format md "$T/strip.jsonl"
expect_exit 1 "--compare takes a recording" \
    "$MS" export --compare "$T/nothing.jsonl" "$T/strip.jsonl"
contains "$T/last.out" "nothing\.jsonl" "the missing recording is named"

# --- replay A B --------------------------------------------------------------
expect_exit 1 "replay takes at most two recordings" \
    "$MS" replay "$T/good.jsonl" "$T/strip.jsonl" "$T/good.jsonl"
expect_exit 1 "replay side by side needs a terminal" \
    "$MS" replay "$T/good.jsonl" "$T/strip.jsonl"
contains "$T/last.out" "export --compare" "without one it points to export --compare"

# replay_at W H: the stripped session beside the good one at W x H.
replay_at() {
	n=rp$1
	tui_start "$n" "$1" "$2" "$ENV $UI replay $T/good.jsonl $T/strip.jsonl 2> $T/$n.err"
	tui_wait "$n" "STEP 1/$steps " && pass "$1x$2: replay opens on step 1 of $steps" ||
	    fail "$1x$2: replay opens on step 1 of $steps"
	contains "$T/$n.screen" "^A good\.jsonl +B strip\.jsonl" "$1x$2: both columns have their title"
	contains "$T/$n.screen" "connect" "$1x$2: the first step is the connection"
	tui_keys "$n" Space
	tui_wait "$n" "STEP 2/$steps " || fail "$1x$2: Space reaches step 2"
	# The greetings wrap at words: a word that fits the next row goes
	# there whole; the transcript's marks, not the text export's.
	contains "$T/$n.screen" "^S: 220 lab\.mailscope\.test ESMTP .*│S: 220 lab\.mailscope\.test ESMTP" \
	    "$1x$2: the greetings marked S: as in the transcript"
	contains "$T/$n.screen" "\(scenario good\)" "$1x$2: A's greeting wrapped at words"
	contains "$T/$n.screen" "\(scenario strip\)" "$1x$2: B's greeting wrapped at words"
	lacks "$T/$n.screen" "(^|│)(<-|->|<~|~>|\*\*|==) " "$1x$2: none of the text export's marks"
	tui_keys "$n" Space
	tui_wait "$n" "STEP 3/$steps " || fail "$1x$2: two Spaces reach step 3"
	contains "$T/$n.screen" "^C: EHLO sbs\.test +│C: EHLO sbs\.test" "$1x$2: the EHLOs marked C:"
	contains "$T/$n.screen" "250-STARTTLS .*│S: 250-XXXXXXXA" "$1x$2: stepping shows both EHLO replies side by side"
	contains "$T/$n.screen" "│!! STARTTLS is not offered" "$1x$2: B's warning marked !! as in the transcript"
	contains "$T/$n.screen" "≠ EHLO: STARTTLS offered by A only" "$1x$2: the EHLO step is marked as differing"
	# The capability one side alone lists is drawn apart: a colour
	# change between 250- and the capability, on each side.
	_tui capture-pane -e -p -t "$n" > "$T/$n.attrs"
	contains "$T/$n.attrs" "250-($ESC\[[0-9;]*m)+STARTTLS" "$1x$2: A's STARTTLS is highlighted"
	contains "$T/$n.attrs" "250-($ESC\[[0-9;]*m)+XXXXXXXA" "$1x$2: B's XXXXXXXA is highlighted"
	lacks "$T/$n.attrs" "250-($ESC\[[0-9;]*m)+PIPELINING" "$1x$2: a capability both list is not"
	tui_keys "$n" Space
	tui_wait "$n" "STEP 4/$steps " || fail "$1x$2: Space reaches step 4"
	contains "$T/$n.screen" "≠ STARTTLS: reply 220 vs 500" "$1x$2: the STARTTLS replies differ"
	contains "$T/$n.screen" "220 2\.0\.0 Ready to start TLS .*│S: 500 " "$1x$2: the go-ahead and the refusal face each other"
	tui_keys "$n" "'"
	tui_wait "$n" "STEP 5/$steps " || fail "$1x$2: ' goes to the next difference"
	contains "$T/$n.screen" "≠ TLS handshake: B has no such step" "$1x$2: the handshake is A's only"
	contains "$T/$n.screen" "│— no such step —" "$1x$2: B's column says so"
	contains "$T/$n.screen" "^TLS1\.3 verified TLS_AES.* +plaintext" "$1x$2: the TLS lines: A verified TLS 1.3, B plaintext"
	tui_keys "$n" BSpace
	tui_wait "$n" "STEP 4/$steps " && pass "$1x$2: Backspace steps both back" ||
	    fail "$1x$2: Backspace steps both back"
	contains "$T/$n.screen" "^plaintext +plaintext" "$1x$2: before the handshake both are plaintext"
	tui_keys "$n" End
	tui_wait "$n" "STEP $steps/$steps " && pass "$1x$2: End shows the last step" ||
	    fail "$1x$2: End shows the last step"
	tui_line "$n" ":note here"
	tui_wait "$n" ":note is for one recording" && pass "$1x$2: :note is refused side by side" ||
	    fail "$1x$2: :note is refused side by side"
	tui_line "$n" ":quit"
	rc=$(tui_wait_exit "$n")
	[ "$rc" = 0 ] && pass "$1x$2: :quit leaves with 0" ||
	    fail "$1x$2: :quit leaves with 0 (got '$rc')"
	tui_stop "$n"
}
replay_at 80 24
replay_at 100 30
replay_at 200 60

# Version negotiation: the handshakes pair and their versions differ.
tui_start v 100 30 "$ENV $UI replay $T/tls12-only.jsonl $T/good.jsonl 2> $T/v.err"
tui_wait v "STEP 1/" || fail "tls12-only beside good opens"
tui_keys v "'"
tui_wait v "≠ TLS handshake: TLS1\.2 vs TLS1\.3" && pass "' finds the handshakes' versions differing" ||
    fail "' finds the handshakes' versions differing"
contains "$T/v.screen" "^TLS1\.2 verified .* +TLS1\.3 verified " "each column's TLS line has its version"
tui_keys v C-d
tui_stop v

# Playing: --speed 50 steps fifty a second, to the last step of both.
tui_start pl 100 30 "$ENV $UI replay --speed 50 $T/good.jsonl $T/strip.jsonl 2> $T/pl.err"
tui_wait pl "STEP 1/$steps " || fail "--speed 50: the replay opens"
tui_keys pl p
tui_wait pl "the last step of both recordings" && pass "p plays both to the last step" ||
    fail "p plays both to the last step"
tui_wait pl "STEP $steps/$steps " && pass "playing stopped at step $steps" ||
    fail "playing stopped at step $steps"
tui_keys pl C-d
tui_stop pl

# --- --lab --side-by-side ----------------------------------------------------
expect_exit 1 "--side-by-side goes with --lab" "$MS" --side-by-side smtp://127.0.0.1
expect_exit 1 "--side-by-side needs a scenario" "$MS" --lab --side-by-side
expect_exit 1 "--side-by-side records nothing" \
    "$MS" --lab --side-by-side strip --record "$T/no.jsonl"
expect_exit 1 "--side-by-side needs a terminal" \
    "$MS" --lab --side-by-side strip --batch -c QUIT

tui_start live 100 30 "$ENV $UI --lab --side-by-side strip 2> $T/live.err"
tui_wait live "S: 220 lab\.mailscope\.test ESMTP .*│S: 220 lab\.mailscope\.test ESMTP " 15 &&
    pass "live: both labs greet, side by side" ||
    fail "live: both labs greet, side by side"
contains "$T/live.screen" "^A good +B strip" "live: the columns are good and strip"
tui_line live "EHLO sbs.test"
tui_wait live "Hello sbs\.test .*│S: 250-.*Hello sbs\.test" &&
    pass "live: a typed EHLO reaches both" ||
    fail "live: a typed EHLO reaches both"
tui_wait live "≠ EHLO: STARTTLS offered by good only" &&
    pass "live: the stripped capability is marked" ||
    fail "live: the stripped capability is marked"
tui_line live "STARTTLS"
tui_wait live "≠ TLS handshake: strip has no such step" &&
    pass "live: STARTTLS gives a handshake on good only" ||
    fail "live: STARTTLS gives a handshake on good only"
tui_wait live "^TLS1\.3 verified .* +plaintext" &&
    pass "live: the TLS lines: good verified, strip plaintext" ||
    fail "live: the TLS lines: good verified, strip plaintext"
tui_keys live PPage
tui_wait live "≠ STARTTLS: reply 220 vs 500" && pass "live: PgUp scrolls back to the refusal" ||
    fail "live: PgUp scrolls back to the refusal"
tui_keys live NPage
if wait_lacks live "scrolled - End"; then
	pass "live: PgDn comes back to the bottom"
else
	fail "live: PgDn comes back to the bottom"
fi
# A credential goes where it may: inside good's verified TLS, not to
# the stripped session in plaintext; a line typed follows the bottom.
tui_keys live PPage
tui_line live "EHLO sbs.test"
tui_wait live "S~ 250-AUTH PLAIN LOGIN .*│S: 250-XXXXXXXA" || fail "live: EHLO again, inside TLS on good only"
tui_line live "AUTH PLAIN AGRlbW8AZGVtbw=="
tui_wait live "not sent to strip: no TLS" && pass "live: a credential is kept from the plaintext side" ||
    fail "live: a credential is kept from the plaintext side"
tui_wait live "235 .*Authentication successful" && pass "live: good's server took it inside TLS" ||
    fail "live: good's server took it inside TLS"
contains "$T/live.screen" "≠ AUTH: strip has no such step" "live: the AUTH step is good's only"
lacks "$T/live.screen" "AGRlbW8AZGVtbw" "live: the credential is not on the screen"
tui_keys live C-d
rc=$(tui_wait_exit live)
[ "$rc" = 0 ] && pass "live: Ctrl-D leaves with good's exit code 0" ||
    fail "live: Ctrl-D leaves with good's exit code 0 (got '$rc')"
tui_stop live
