#!/bin/sh
# SPDX-License-Identifier: ISC
# Stop the private Postfix, Dovecot, NSD and nginx instances started by start.sh and
# make sure none of their processes is left.  Safe to run when nothing is
# running.  Only processes belonging to this tree's instances are touched.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
S=$top/tests/out/servers
PF=$S/postfix
DV=$S/dovecot
PATH=$PATH:/usr/sbin:/sbin
export PATH

# Processes of our instances: the two masters by pid file, and every child
# by its working directory (Postfix children work in the queue directory,
# Dovecot's in base_dir, a chroot below it or the mail home) or, for
# Postfix, the MAIL_CONFIG in its environment.
ours() {
	{
		find /proc -mindepth 2 -maxdepth 2 -name cwd \
		    \( -lname "$S" -o -lname "$S/*" \) 2> /dev/null
		grep -lsxzF "MAIL_CONFIG=$PF/conf" /proc/[0-9]*/environ
	} | sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | sort -u
}
pids() {
	for f in "$PF/queue/pid/master.pid" "$DV/run/master.pid" \
	    "$S/dns/nsd.pid" "$S/web/nginx.pid" "$S/sasl/run/master.pid" \
	    "$S/sasl/oauth2.pid"; do
		[ -s "$f" ] && tr -d ' \n' < "$f" && echo
	done
	ours
}

before=$(pids | sort -u)
if [ -f "$PF/conf/main.cf" ] && [ -s "$PF/queue/pid/master.pid" ]; then
	postfix -c "$PF/conf" stop > /dev/null 2>&1 &
fi
if [ -f "$DV/dovecot.conf" ] && [ -s "$DV/run/master.pid" ]; then
	# What doveadm stop does, without waiting for login processes that
	# linger up to 5 s: they get SIGTERM below.
	kill -TERM "$(cat "$DV/run/master.pid")" 2> /dev/null
fi
for f in "$S/dns/nsd.pid" "$S/web/nginx.pid" "$S/sasl/run/master.pid" \
    "$S/sasl/oauth2.pid"; do
	[ -s "$f" ] && kill -TERM "$(cat "$f")" 2> /dev/null
done
wait

# Both masters are gone now; give their children 1 s, then SIGTERM, then
# SIGKILL.  A last
# scan catches anything forked while we were stopping.
i=0
rescan=
while :; do
	left=$(for p in $before; do
		kill -0 "$p" 2> /dev/null && echo "$p"
	done)
	if [ -z "$left" ]; then
		[ -n "$rescan" ] && break
		rescan=1
		before=$(ours)
		continue
	fi
	i=$((i + 1))
	case $i in
	10) kill -TERM $left 2> /dev/null ;;
	30) kill -KILL $left 2> /dev/null ;;
	50)
		echo "stop.sh: processes still running: $left" >&2
		exit 1
		;;
	esac
	sleep 0.1
done
rm -f "$PF/queue/pid/master.pid" "$DV/run/master.pid" "$S/dns/nsd.pid" \
    "$S/web/nginx.pid" "$S/sasl/run/master.pid" "$S/sasl/oauth2.pid"
exit 0
