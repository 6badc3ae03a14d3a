#!/bin/sh
# SPDX-License-Identifier: ISC
# Start private Postfix and Dovecot instances on loopback high ports for the
# integration tests, with a test CA and good and bad certificates, an
# authoritative DNS server for the signed test zone mailscope.test (dns.sh)
# and the web server of its MTA-STS policies (web.sh, nginx).  All
# state lives under tests/out/servers/; tests/out/servers/env is written
# last and can be sourced by the tests.  Runs as root (Postfix and Dovecot
# drop privileges themselves); never touches the system instances.
#
#   MAILSCOPE_TEST_PORT_BASE  first port (default: 24000, then 24100, ...
#                             until a free range is found; when set, only
#                             that base is tried)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
S=$top/tests/out/servers
C=$S/certs
PF=$S/postfix
DV=$S/dovecot
USER_NAME=alice
USER_PASS=secret-pw-123
BIG_SIZE=52428800
t0=$(date +%s)

die() {
	echo "start.sh: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (Postfix and Dovecot drop privileges themselves)"
for t in postfix postconf dovecot doveadm certtool python3; do
	command -v "$t" > /dev/null 2>&1 ||
	    [ -x "/usr/sbin/$t" ] ||
	    die "$t not found: run 'sh tools/deps.sh test'"
done
PATH=$PATH:/usr/sbin:/sbin
export PATH
for u in postfix dovecot dovenull; do
	getent passwd "$u" > /dev/null ||
	    die "system user '$u' missing: reinstall the postfix/dovecot-core package"
done
getent group postdrop > /dev/null ||
    die "group 'postdrop' missing: reinstall the postfix package"
# Mail is stored as the 'mail' user (Dovecot refuses root for mail access).
mail_uid=$(getent passwd mail | cut -d: -f3)
mail_gid=$(getent passwd mail | cut -d: -f4)
[ -n "$mail_uid" ] || die "system user 'mail' missing"

"$here/stop.sh" > /dev/null 2>&1
rm -rf "$S"
mkdir -p "$C" "$PF/conf" "$PF/queue" "$PF/data" "$DV/run" "$DV/state" \
    "$DV/home/$USER_NAME/Maildir/new" "$DV/home/$USER_NAME/Maildir/cur" \
    "$DV/home/$USER_NAME/Maildir/tmp" || die "cannot create $S"
chmod 755 "$S" "$DV" "$DV/home"
chown postfix:postfix "$PF/data"

# --- ports --------------------------------------------------------------
# 24 consecutive ports from the base, all free on 127.0.0.1 and 127.0.0.2.
NPORTS=24
base=$(python3 - "${MAILSCOPE_TEST_PORT_BASE:-}" "$NPORTS" << 'EOF'
import socket, sys
n = int(sys.argv[2])
bases = [int(sys.argv[1])] if sys.argv[1] else range(24000, 25000, 100)
def free(base):
    for p in range(base, base + n):
        for h in ("127.0.0.1", "127.0.0.2"):
            s = socket.socket()
            try:
                s.bind((h, p))
            except OSError:
                return False
            finally:
                s.close()
    return True
for b in bases:
    if free(b):
        print(b)
        break
EOF
)
if [ -z "$base" ]; then
	if [ -n "${MAILSCOPE_TEST_PORT_BASE:-}" ]; then
		die "ports $MAILSCOPE_TEST_PORT_BASE..$((MAILSCOPE_TEST_PORT_BASE + NPORTS - 1)) are not all free on 127.0.0.1/127.0.0.2"
	fi
	die "no free range of $NPORTS ports in 24000..24999"
fi
SMTP_PORT=$base
SUBMIT_PORT=$((base + 1))
SMTPS_PORT=$((base + 2))
NOTLS_PORT=$((base + 3))
EXPIRED_PORT=$((base + 4))
WRONGHOST_PORT=$((base + 5))
SELFSIGNED_PORT=$((base + 6))
IMAP_PORT=$((base + 7))
IMAPS_PORT=$((base + 8))
POP3_PORT=$((base + 9))
POP3S_PORT=$((base + 10))
# base+11, base+12: spare, kept free for tests' own listeners.
CHAIN_PORT=$((base + 13))
DNS_PORT=$((base + 14))
# ManageSieve (Pigeonhole), STARTTLS on a plaintext port.
SIEVE_PORT=$((base + 15))

# --- certificates -------------------------------------------------------
certgen() {
	certtool "$@" > /dev/null 2> "$C/certtool.err" || {
		cat "$C/certtool.err" >&2
		die "certtool $* failed"
	}
}
key() {
	certgen --generate-privkey --key-type rsa --bits 2048 --outfile "$C/$1-key.pem"
}
cat > "$C/ca.tmpl" << 'EOF'
cn = "mailscope Test CA"
organization = "mailscope tests"
serial = 1
ca
cert_signing_key
crl_signing_key
activation_date = "2020-01-01 00:00:00 UTC"
expiration_date = "2049-12-31 23:59:59 UTC"
EOF
cat > "$C/good.tmpl" << 'EOF'
cn = "mail.test"
organization = "mailscope tests"
serial = 2
dns_name = "mail.test"
dns_name = "localhost"
dns_name = "mx.mailscope.test"
dns_name = "mxbad.mailscope.test"
dns_name = "nomx.mailscope.test"
dns_name = "stsmx.mailscope.test"
dns_name = "xn--bcher-kva.mailscope.test"
ip_address = "127.0.0.1"
ip_address = "127.0.0.2"
ip_address = "::1"
tls_www_server
signing_key
encryption_key
activation_date = "2020-01-01 00:00:00 UTC"
expiration_date = "2049-12-31 23:59:59 UTC"
EOF
cat > "$C/expired.tmpl" << 'EOF'
cn = "mail.test"
organization = "mailscope tests"
serial = 3
dns_name = "mail.test"
dns_name = "localhost"
ip_address = "127.0.0.1"
ip_address = "127.0.0.2"
ip_address = "::1"
tls_www_server
signing_key
encryption_key
activation_date = "2015-01-01 00:00:00 UTC"
expiration_date = "2016-01-01 00:00:00 UTC"
EOF
cat > "$C/wronghost.tmpl" << 'EOF'
cn = "wrong.example"
organization = "mailscope tests"
serial = 4
dns_name = "wrong.example"
tls_www_server
signing_key
encryption_key
activation_date = "2020-01-01 00:00:00 UTC"
expiration_date = "2049-12-31 23:59:59 UTC"
EOF
sed -e 's/^serial = .*/serial = 5/' -e 's/^cn = .*/cn = "mail.test (self-signed)"/' \
    "$C/good.tmpl" > "$C/selfsigned.tmpl"
for k in ca good expired wronghost selfsigned; do key "$k"; done
certgen --generate-self-signed --load-privkey "$C/ca-key.pem" \
    --template "$C/ca.tmpl" --outfile "$C/ca.pem"
for k in good expired wronghost; do
	certgen --generate-certificate --load-privkey "$C/$k-key.pem" \
	    --load-ca-certificate "$C/ca.pem" --load-ca-privkey "$C/ca-key.pem" \
	    --template "$C/$k.tmpl" --outfile "$C/$k.pem"
done
certgen --generate-self-signed --load-privkey "$C/selfsigned-key.pem" \
    --template "$C/selfsigned.tmpl" --outfile "$C/selfsigned.pem"
rm -f "$C"/*.tmpl "$C/certtool.err"
chmod 644 "$C"/*.pem
chmod 600 "$C"/*-key.pem

# --- Dovecot ------------------------------------------------------------
printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$USER_NAME" "$USER_PASS" \
    "$mail_uid" "$mail_gid" "$DV/home/$USER_NAME" > "$DV/passwd"
chmod 644 "$DV/passwd"
cat > "$DV/dovecot.conf" << EOF
# Private Dovecot instance for the mailscope tests (tests/servers/start.sh).
instance_name = mailscope-test
base_dir = $DV/run
state_dir = $DV/state
log_path = $S/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1, 127.0.0.2
shutdown_clients = yes
ssl = yes
ssl_cert = <$C/good.pem
ssl_key = <$C/good-key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_username_format = %Ln
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DV/passwd
}
userdb {
  driver = passwd-file
  args = $DV/passwd
}
service imap-login {
  # One long-lived login process, as a busy site runs it: its TLS
  # session tickets resume on the next connection (with one process per
  # connection, the default, no ticket ever could).
  service_count = 0
  process_min_avail = 1
  process_limit = 1
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  # One long-lived login process, as a busy site runs it: its TLS
  # session tickets resume on the next connection (with one process per
  # connection, the default, no ticket ever could).
  service_count = 0
  process_min_avail = 1
  process_limit = 1
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = $POP3S_PORT
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
service doveadm {
  inet_listener {
    port = 0
  }
}
EOF
# ManageSieve (RFC 5804): Pigeonhole's managesieve-login on SIEVE_PORT,
# the scripts in the user's home.
cat >> "$DV/dovecot.conf" << EOF
protocols = \$protocols sieve
service managesieve-login {
  inet_listener sieve {
    port = $SIEVE_PORT
  }
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
}
EOF

# --- Postfix ------------------------------------------------------------
cat > "$PF/conf/main.cf" << EOF
# Private Postfix instance for the mailscope tests (tests/servers/start.sh).
compatibility_level = 3.6
myhostname = mail.test
mydomain = test
myorigin = mail.test
mydestination = mail.test, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $S/postfix.log
maillog_file_prefixes = $S
smtpd_banner = \$myhostname ESMTP mailscope-test
smtpd_peername_lookup = no
biff = no
append_dot_mydomain = no
readme_directory = no
alias_maps =
alias_database =
local_recipient_maps =
local_transport = lmtp:unix:$DV/run/lmtp
default_transport = error:mail to other hosts is disabled in the test server
relay_transport = error:mail to other hosts is disabled in the test server
message_size_limit = 104857600
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
smtpd_tls_chain_files = $C/good-key.pem, $C/good.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DV/run/auth-postfix
EOF
L=127.0.0.1
cat > "$PF/conf/master.cf" << EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
$L:$SMTP_PORT inet n - n - - smtpd
$L:$SUBMIT_PORT inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
$L:$SMTPS_PORT inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
$L:$NOTLS_PORT inet n - n - - smtpd
  -o smtpd_tls_security_level=none
  -o smtpd_tls_auth_only=no
  -o smtpd_sasl_auth_enable=no
$L:$EXPIRED_PORT inet n - n - - smtpd
  -o smtpd_tls_chain_files=$C/expired-key.pem,$C/expired.pem
$L:$WRONGHOST_PORT inet n - n - - smtpd
  -o smtpd_tls_chain_files=$C/wronghost-key.pem,$C/wronghost.pem
$L:$SELFSIGNED_PORT inet n - n - - smtpd
  -o smtpd_tls_chain_files=$C/selfsigned-key.pem,$C/selfsigned.pem
$L:$CHAIN_PORT inet n - n - - smtpd
  -o smtpd_tls_chain_files=$C/good-key.pem,$C/good.pem,$C/ca.pem
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

# Paths to the server: an smtpd behind the HAProxy PROXY protocol (v1 and
# v2 both: Postfix tells them apart); its log names the claimed client.
PROXY_SMTP_PORT=$((base + 18))
cat >> "$PF/conf/master.cf" << EOF
$L:$PROXY_SMTP_PORT inet n - n - - smtpd
  -o smtpd_upstream_proxy_protocol=haproxy
  -o smtpd_tls_security_level=none
EOF

# --- start --------------------------------------------------------------
tail_logs() {
	for f in "$S/dovecot.log" "$S/postfix.log" "$S/dovecot.start" "$S/postfix.start"; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		tail -n 20 "$f" >&2
	done
}
# Postfix takes about 2 s to start: write the messages meanwhile.
postfix -c "$PF/conf" start > "$S/postfix.start" 2>&1 &
pf=$!
# Two messages for alice: a small one and a big one (bench/bulk tests).
python3 - "$DV/home/$USER_NAME/Maildir/new" "$BIG_SIZE" << 'EOF'
import os, sys
d, size = sys.argv[1], int(sys.argv[2])
small = (b"From: Bob <bob@mail.test>\r\nTo: Alice <alice@mail.test>\r\n"
         b"Subject: small test message\r\n"
         b"Date: Mon, 02 Jan 2023 10:00:00 +0000\r\n"
         b"Message-ID: <small@mail.test>\r\n\r\n"
         b"Hello Alice,\r\nthis is the small test message.\r\n")
hdr = (b"From: Bob <bob@mail.test>\r\nTo: Alice <alice@mail.test>\r\n"
       b"Subject: big test message\r\n"
       b"Date: Mon, 02 Jan 2023 10:01:00 +0000\r\n"
       b"Message-ID: <big@mail.test>\r\n\r\n")
line = b"".join(bytes([33 + (i * 7 + j) % 94 for j in range(76)]) + b"\r\n"
                for i in range(94))
body = bytearray(hdr)
while len(body) + len(line) <= size:
    body += line
body += b"x" * (size - len(body) - 2) + b"\r\n"
assert len(body) == size
for n, data in ((1, small), (2, bytes(body))):
    name = "%d.M%dP1.mail.test,S=%d,W=%d" % (1672653600 + n, n, len(data),
                                             len(data))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
EOF
if [ $? -ne 0 ]; then
	wait "$pf"
	"$here/stop.sh" > /dev/null 2>&1
	die "cannot write the test messages"
fi
chown -R "$mail_uid:$mail_gid" "$DV/home/$USER_NAME"
chmod -R go-rwx "$DV/home/$USER_NAME"

dovecot -c "$DV/dovecot.conf" > "$S/dovecot.start" 2>&1 || {
	wait "$pf"
	tail_logs
	"$here/stop.sh" > /dev/null 2>&1
	die "dovecot did not start"
}
wait "$pf" || {
	tail_logs
	"$here/stop.sh" > /dev/null 2>&1
	die "postfix did not start"
}

# Wait (at most 20 s) until every port listens.  Read from /proc/net/tcp
# rather than by connecting: a probe connection would leave login
# processes and log lines behind.
python3 - 20 "$SMTP_PORT" "$SUBMIT_PORT" "$SMTPS_PORT" "$NOTLS_PORT" \
    "$EXPIRED_PORT" "$WRONGHOST_PORT" "$SELFSIGNED_PORT" "$CHAIN_PORT" \
    "$SIEVE_PORT" \
    "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" << 'EOF'
import sys, time
limit = time.monotonic() + float(sys.argv[1])
todo = {("0100007F", int(p)) for p in sys.argv[2:]}
todo |= {("0200007F", int(p)) for p in sys.argv[-4:]}
while todo and time.monotonic() < limit:
    with open("/proc/net/tcp") as f:
        for l in f.readlines()[1:]:
            local, state = l.split()[1], l.split()[3]
            addr, port = local.split(":")
            if state == "0A":
                todo.discard((addr, int(port, 16)))
    if todo:
        time.sleep(0.05)
if todo:
    print("not listening: " + " ".join(
        "127.0.0.%d:%d" % (int(a[:2], 16), p) for a, p in sorted(todo)),
        file=sys.stderr)
    sys.exit(1)
EOF
if [ $? -ne 0 ]; then
	tail_logs
	"$here/stop.sh" > /dev/null 2>&1
	die "servers did not come up"
fi

# --- SASL: a Dovecot of its own (every mechanism) and the OAuth 2.0
# introspection endpoint its oauth2 passdb asks (sasl.sh).
SASL_IMAP_PORT=$((base + 16))
OAUTH_PORT=$((base + 17))
SASL_SIEVE_PORT=$((base + 21))
"$here/sasl.sh" "$S/sasl" "$SASL_IMAP_PORT" "$OAUTH_PORT" "$C/ca.pem" \
    "$C/ca-key.pem" "$C/good.pem" "$C/good-key.pem" "$USER_NAME" \
    "$USER_PASS" "$DV/home/$USER_NAME" "$SASL_SIEVE_PORT" > "$S/sasl.env" &&
python3 - 20 "$SASL_IMAP_PORT" "$OAUTH_PORT" "$SASL_SIEVE_PORT" << 'EOF' || {
import sys, time
limit = time.monotonic() + float(sys.argv[1])
todo = {int(p) for p in sys.argv[2:]}
while todo and time.monotonic() < limit:
    with open("/proc/net/tcp") as f:
        for l in f.readlines()[1:]:
            local, state = l.split()[1], l.split()[3]
            if state == "0A" and local.startswith("0100007F:"):
                todo.discard(int(local.split(":")[1], 16))
    if todo:
        time.sleep(0.05)
sys.exit(1 if todo else 0)
EOF
	"$here/stop.sh" > /dev/null 2>&1
	die "the SASL Dovecot or the OAuth 2.0 endpoint did not start"
}

# The MTA-STS policy host listens on port 443 (RFC 8461 3.3) of a
# loopback address of its own, picked from the port base so that two
# trees' servers do not meet: the first of 127.0.0.10 and on that is
# free.
STS_ADDR=$(python3 - "$base" << 'EOF'
import socket, sys
b = int(sys.argv[1]) // 100
for i in range(200):
    a = "127.0.0.%d" % (10 + (b + i) % 200)
    s = socket.socket()
    try:
        s.bind((a, 443))
    except OSError:
        continue
    finally:
        s.close()
    print(a)
    break
EOF
)
[ -n "$STS_ADDR" ] || {
	"$here/stop.sh" > /dev/null 2>&1
	die "no loopback address 127.0.0.10..209 has port 443 free"
}
"$here/web.sh" "$S/web" "$STS_ADDR" "$C/ca.pem" "$C/ca-key.pem" \
    > "$S/web.env" || {
	"$here/stop.sh" > /dev/null 2>&1
	die "the MTA-STS policy server (nginx) did not start"
}

# The test zone names the test Postfix as its mail host.
"$here/dns.sh" "$S/dns" "$DNS_PORT" "$SMTP_PORT" "$C/good.pem" "$C/ca.pem" \
    "$STS_ADDR" > "$S/dns.env" || {
	"$here/stop.sh" > /dev/null 2>&1
	die "the DNS server did not start"
}

# Paths to the server: SOCKS5 proxies (microsocks), one open, one with a
# login; started from their own directory so that stop.sh finds them.
SOCKS_PORT=$((base + 19))
SOCKS_AUTH_PORT=$((base + 20))
SOCKS_USER=proxyuser
SOCKS_PASS=proxy-pw-456
command -v microsocks > /dev/null 2>&1 || {
	"$here/stop.sh" > /dev/null 2>&1
	die "microsocks not found: run 'sh tools/deps.sh test'"
}
mkdir -p "$S/socks"
(cd "$S/socks" && exec microsocks -i 127.0.0.1 -p "$SOCKS_PORT" \
    > open.log 2>&1 &)
(cd "$S/socks" && exec microsocks -i 127.0.0.1 -p "$SOCKS_AUTH_PORT" \
    -u "$SOCKS_USER" -P "$SOCKS_PASS" > auth.log 2>&1 &)
python3 - 10 "$SOCKS_PORT" "$SOCKS_AUTH_PORT" "$PROXY_SMTP_PORT" << 'EOF' || {
import sys, time
limit = time.monotonic() + float(sys.argv[1])
todo = {int(p) for p in sys.argv[2:]}
while todo and time.monotonic() < limit:
    with open("/proc/net/tcp") as f:
        for l in f.readlines()[1:]:
            if l.split()[3] == "0A":
                todo.discard(int(l.split()[1].split(":")[1], 16))
    if todo:
        time.sleep(0.05)
sys.exit(1 if todo else 0)
EOF
	"$here/stop.sh" > /dev/null 2>&1
	die "the SOCKS5 proxies (microsocks) or the PROXY smtpd did not come up"
}

cat > "$S/env.tmp" << EOF
# Written by tests/servers/start.sh; source it.
SERVERS_DIR=$S
HOST=127.0.0.1
HOST_INSECURE_LOOPBACK=127.0.0.2
SMTP_PORT=$SMTP_PORT
SUBMIT_PORT=$SUBMIT_PORT
SMTPS_PORT=$SMTPS_PORT
NOTLS_PORT=$NOTLS_PORT
EXPIRED_PORT=$EXPIRED_PORT
WRONGHOST_PORT=$WRONGHOST_PORT
SELFSIGNED_PORT=$SELFSIGNED_PORT
CHAIN_PORT=$CHAIN_PORT
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
POP3_PORT=$POP3_PORT
POP3S_PORT=$POP3S_PORT
SIEVE_PORT=$SIEVE_PORT
SPARE_PORT1=$((base + 11))
SPARE_PORT2=$((base + 12))
CA=$C/ca.pem
CA_KEY=$C/ca-key.pem
GOOD_CERT=$C/good.pem
GOOD_KEY=$C/good-key.pem
EXPIRED_CERT=$C/expired.pem
EXPIRED_KEY=$C/expired-key.pem
WRONGHOST_CERT=$C/wronghost.pem
WRONGHOST_KEY=$C/wronghost-key.pem
SELFSIGNED_CERT=$C/selfsigned.pem
SELFSIGNED_KEY=$C/selfsigned-key.pem
USER=$USER_NAME
PASS=$USER_PASS
MAIL_USER=$USER_NAME
MAIL_PASS=$USER_PASS
MAIL_DOMAIN=mail.test
BIG_MSG_SIZE=$BIG_SIZE
SMALL_MSG_SUBJECT='small test message'
# INBOX starts with the small message (1) and the big one (2).
POSTFIX_LOG=$S/postfix.log
DOVECOT_LOG=$S/dovecot.log
EOF
# Paths to the server.
cat >> "$S/env.tmp" << EOF
PROXY_SMTP_PORT=$PROXY_SMTP_PORT
SOCKS_PORT=$SOCKS_PORT
SOCKS_AUTH_PORT=$SOCKS_AUTH_PORT
SOCKS_USER=$SOCKS_USER
SOCKS_PASS=$SOCKS_PASS
LMTP_SOCKET=$DV/run/lmtp
EOF
cat "$S/dns.env" "$S/web.env" "$S/sasl.env" >> "$S/env.tmp"
mv "$S/env.tmp" "$S/env"
echo "start.sh: servers up in $(($(date +%s) - t0)) s; ports $base..$((base + NPORTS - 1)); env in $S/env"
