#!/bin/sh
# SPDX-License-Identifier: ISC
# The MTA-STS policy host of the test zone's domains: nginx on port 443
# of one loopback address (RFC 8461 3.3 fixes the port), with a
# certificate from the test CA for each mta-sts.<case> name but one.
# Called by start.sh once the address is picked; prints the env lines
# for start.sh to add.  The cases, each a domain of dns.sh's zone:
#   mailscope.test   enforce, mx mx.mailscope.test (DANE applies too)
#   sts-enforce      enforce, mx *.mailscope.test
#   sts-testing      testing, a pattern the MX host does not match
#   sts-none         none
#   sts-nomatch      enforce, patterns that exclude the MX host
#   sts-big          a policy over 64 KiB
#   sts-redirect     301 to sts-enforce's policy
#   sts-nocert       served, but the certificate does not name it
#
#   web.sh DIR ADDR CA CA_KEY
set -u
D=$1
ADDR=$2
CA=$3
CA_KEY=$4
Z=mailscope.test
WK=.well-known/mta-sts.txt

die() {
	echo "web.sh: $*" >&2
	exit 1
}

for t in nginx certtool; do
	command -v "$t" > /dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
	    die "$t not found: run 'sh tools/deps.sh test'"
done
mkdir -p "$D" || die "cannot create $D"
chmod 755 "$D"

# One certificate for every policy host but sts-nocert's.
{
	echo 'cn = "mta-sts.'$Z'"'
	echo 'organization = "mailscope tests"'
	echo 'serial = 6'
	for c in "" sts-enforce. sts-testing. sts-none. sts-nomatch. sts-big. \
	    sts-redirect.; do
		echo "dns_name = \"mta-sts.$c$Z\""
	done
	echo 'tls_www_server'
	echo 'signing_key'
	echo 'encryption_key'
	echo 'activation_date = "2020-01-01 00:00:00 UTC"'
	echo 'expiration_date = "2049-12-31 23:59:59 UTC"'
} > "$D/web.tmpl"
certtool --generate-privkey --key-type rsa --bits 2048 \
    --outfile "$D/web-key.pem" > /dev/null 2> "$D/certtool.err" &&
    certtool --generate-certificate --load-privkey "$D/web-key.pem" \
    --load-ca-certificate "$CA" --load-ca-privkey "$CA_KEY" \
    --template "$D/web.tmpl" --outfile "$D/web.pem" > /dev/null \
    2>> "$D/certtool.err" || die "certtool failed: $(cat "$D/certtool.err")"
chmod 600 "$D/web-key.pem"

# The policies, one directory per host name.
policy() {
	mkdir -p "$D/www/mta-sts.$1/.well-known" || die "cannot create $D/www"
	printf '%s' "$2" > "$D/www/mta-sts.$1/$WK"
}
policy "$Z" "$(printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.%s\r\nmax_age: 86400\r\n' "$Z")"
policy "sts-enforce.$Z" "$(printf 'version: STSv1\nmode: enforce\nmx: *.%s\nmax_age: 604800\nx-unknown: ignored\n' "$Z")"
policy "sts-testing.$Z" "$(printf 'version: STSv1\r\nmode: testing\r\nmx: mail.example.net\r\nmax_age: 86400\r\n')"
policy "sts-none.$Z" "$(printf 'version: STSv1\nmode: none\nmax_age: 86400\n')"
policy "sts-nomatch.$Z" "$(printf 'version: STSv1\nmode: enforce\nmx: mail.example.net\nmx: *.example.org\nmax_age: 86400\n')"
policy "sts-nocert.$Z" "$(printf 'version: STSv1\nmode: enforce\nmx: *.%s\nmax_age: 86400\n' "$Z")"
# Over 64 KiB: a valid head, then mx lines without end.
python3 - "$D/www/mta-sts.sts-big.$Z/$WK" << 'EOF' || die "cannot write the big policy"
import os, sys
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
with open(sys.argv[1], "w") as f:
    f.write("version: STSv1\nmode: enforce\nmax_age: 86400\n")
    f.write("".join("mx: mx%05d.mailscope.test\n" % i for i in range(4000)))
EOF
chmod -R a+rX "$D/www"

cat > "$D/nginx.conf" << EOF
# Private nginx for the mailscope tests (tests/servers/web.sh).
daemon on;
user nobody nogroup;
worker_processes 1;
pid $D/nginx.pid;
error_log $D/error.log;
events {
	worker_connections 64;
}
http {
	access_log $D/access.log;
	client_body_temp_path $D/tmp;
	proxy_temp_path $D/tmp;
	fastcgi_temp_path $D/tmp;
	uwsgi_temp_path $D/tmp;
	scgi_temp_path $D/tmp;
	types { }
	default_type text/plain;
	ssl_certificate $D/web.pem;
	ssl_certificate_key $D/web-key.pem;
	server {
		listen $ADDR:443 ssl default_server;
		server_name _;
		root $D/www/\$host;
	}
	server {
		listen $ADDR:443 ssl;
		server_name mta-sts.sts-redirect.$Z;
		return 301 https://mta-sts.sts-enforce.$Z/$WK;
	}
}
EOF
mkdir -p "$D/tmp"
nginx -p "$D" -e "$D/error.log" -c "$D/nginx.conf" 2> "$D/nginx.err" ||
    die "nginx did not start: $(cat "$D/nginx.err" "$D/error.log" 2> /dev/null)"

# Ready when it listens (at most 10 s).
python3 - "$ADDR" << 'EOF' || die "nginx does not listen on $ADDR:443"
import socket, sys, time
want = "%s:%04X" % ("".join("%02X" % int(b) for b in
                     reversed(sys.argv[1].split("."))), 443)
limit = time.monotonic() + 10
while time.monotonic() < limit:
    with open("/proc/net/tcp") as f:
        if any(l.split()[1] == want and l.split()[3] == "0A"
               for l in f.readlines()[1:]):
            sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
EOF

echo "STS_ADDR=$ADDR"
echo "STS_PID_FILE=$D/nginx.pid"
