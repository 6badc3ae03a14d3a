#!/bin/sh
# SPDX-License-Identifier: ISC
# The real mail clients judge.sh grades, each driven non-interactively the
# way its manual says, verifying against the lab's CA where it can:
#   clients.sh NAME PROTO HOST PORT CA
# The message for the SMTP clients is $JUDGE_MSG.
name=$1 proto=$2 host=$3 port=$4 ca=$5
msg=${JUDGE_MSG:-/dev/null}
case $name in
curl-reqd|curl)
	[ "$name" = curl-reqd ] && set -- --ssl-reqd --cacert "$ca" || set --
	if [ "$proto" = smtp ]; then
		set -- "$@" --mail-from judge@example.test \
		    --mail-rcpt demo@lab.mailscope.test -T "$msg"
	fi
	exec curl -sS --max-time 10 -u demo:demo "$@" "$proto://$host:$port/"
	;;
swaks-tls)
	exec swaks --server "$host:$port" --tls --tls-verify \
	    --tls-ca-path "$ca" --auth PLAIN --auth-user demo \
	    --auth-password demo --from judge@example.test \
	    --to demo@lab.mailscope.test --timeout 10
	;;
swaks)
	exec swaks --server "$host:$port" --from judge@example.test \
	    --to demo@lab.mailscope.test --timeout 10
	;;
msmtp)
	exec msmtp --host="$host" --port="$port" --tls=on --tls-starttls=on \
	    --tls-trust-file="$ca" --auth=plain --user=demo \
	    --passwordeval='echo demo' --from=judge@example.test \
	    demo@lab.mailscope.test < "$msg"
	;;
s-nail)
	# It checks the name, not an IP address: localhost is in the
	# certificate (the lab listens on 127.0.0.1 alone).
	exec s-nail -:/ -Sv15-compat -Snosave -Sttycharset=utf-8 \
	    -S "mta=smtp://demo:demo@localhost:$port" -S smtp-use-starttls \
	    -S smtp-auth=plain -S "tls-ca-file=$ca" -S tls-ca-no-defaults \
	    -s judge -r judge@example.test demo@lab.mailscope.test < "$msg"
	;;
fetchmail)
	# A home and a PID file of its own: root's fetchmail otherwise
	# locks one run at a time, system-wide.
	d=$(mktemp -d) || exit 1
	printf 'poll lab.mailscope.test via %s service %s proto %s user demo password demo sslproto tls1.2+ sslcertck sslcommonname lab.mailscope.test sslcertfile %s\n' \
	    "$host" "$port" "$proto" "$ca" > "$d/rc"
	chmod 600 "$d/rc"
	FETCHMAILHOME=$d HOME=$d fetchmail -f "$d/rc" --pidfile "$d/pid" \
	    --check --nodetach
	rc=$?
	rm -rf "$d"
	exit $rc
	;;
python)
	exec python3 -S "$(dirname "$0")/pyclient.py" "$proto" "$host" "$port" \
	    "$ca"
	;;
broken)
	exec python3 -S "$(dirname "$0")/brokenclient.py" "$proto" "$host" \
	    "$port"
	;;
broken-weak)
	exec python3 -S "$(dirname "$0")/brokenclient.py" "$proto" "$host" \
	    "$port" --weak-tls
	;;
hang)
	# SMTP up to the go-ahead, then nothing: a client that hangs there.
	exec python3 -S -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
f = s.makefile("rb")
def reply():
    while f.readline()[3:4] == b"-":
        pass
reply()
s.sendall(b"EHLO hang.test\r\n")
reply()
s.sendall(b"STARTTLS\r\n")
reply()
time.sleep(600)
' "$host" "$port"
	;;
esac
echo "clients.sh: unknown client $name" >&2
exit 2
