#!/bin/sh
# SPDX-License-Identifier: ISC
# A Dovecot of its own for the SASL tests, so that the capability lists
# of start.sh's listeners stay as they are: IMAP with STARTTLS on one
# port offering SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, DIGEST-MD5, PLAIN,
# LOGIN (a plaintext password in a passwd-file allows them all),
# OAUTHBEARER and XOAUTH2 (the oauth2 passdb asking oauth2.py, RFC 7662
# introspection, on its own port) and EXTERNAL (the user from the client
# certificate's common name, verified against the test CA); ManageSieve
# on a port of its own with the same mechanisms.  Called by start.sh;
# prints the env lines for start.sh to add.
#
#   sasl.sh DIR IMAP_PORT OAUTH_PORT CA CA_KEY CERT KEY USER PASS HOME
#       SIEVE_PORT
set -u
D=$1
IMAP_PORT=$2
OAUTH_PORT=$3
CA=$4
CA_KEY=$5
CERT=$6
KEY=$7
USER_NAME=$8
USER_PASS=$9
shift 9
HOME_DIR=$1
SIEVE_PORT=$2
TOKEN=mailscope-test-token-$USER_NAME

die() {
	echo "sasl.sh: $*" >&2
	exit 1
}

mkdir -p "$D/run" "$D/state" || die "cannot create $D"
chmod 755 "$D"
mail_uid=$(getent passwd mail | cut -d: -f3)
mail_gid=$(getent passwd mail | cut -d: -f4)

# The client certificate EXTERNAL logs in with: CN is the user.
cat > "$D/client.tmpl" << EOT
cn = "$USER_NAME"
organization = "mailscope tests"
serial = 7
tls_www_client
signing_key
activation_date = "2020-01-01 00:00:00 UTC"
expiration_date = "2049-12-31 23:59:59 UTC"
EOT
certtool --generate-privkey --key-type rsa --bits 2048 \
    --outfile "$D/client-key.pem" > /dev/null 2> "$D/certtool.err" &&
    certtool --generate-certificate --load-privkey "$D/client-key.pem" \
    --load-ca-certificate "$CA" --load-ca-privkey "$CA_KEY" \
    --template "$D/client.tmpl" --outfile "$D/client.pem" > /dev/null \
    2>> "$D/certtool.err" || die "certtool failed: $(cat "$D/certtool.err")"
rm -f "$D/client.tmpl" "$D/certtool.err"
chmod 600 "$D/client-key.pem"

printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$USER_NAME" "$USER_PASS" \
    "$mail_uid" "$mail_gid" "$HOME_DIR" > "$D/passwd"
chmod 644 "$D/passwd"
cat > "$D/oauth2.conf" << EOT
introspection_mode = post
introspection_url = http://127.0.0.1:$OAUTH_PORT/introspect
username_attribute = username
active_attribute = active
active_value = true
force_introspection = yes
EOT
cat > "$D/dovecot.conf" << EOT
# The SASL tests' Dovecot (tests/servers/sasl.sh).
instance_name = mailscope-test-sasl
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
protocols = imap sieve
listen = 127.0.0.1
shutdown_clients = yes
ssl = yes
ssl_cert = <$CERT
ssl_key = <$KEY
ssl_ca = <$CA
ssl_verify_client_cert = yes
ssl_require_crl = no
ssl_cert_username_field = commonName
auth_ssl_username_from_cert = yes
disable_plaintext_auth = yes
auth_mechanisms = scram-sha-256 scram-sha-1 cram-md5 digest-md5 plain login oauthbearer xoauth2 external
auth_username_format = %Ln
# A wrong secret is a test case here, not an attack to slow down.
auth_failure_delay = 0
auth_realms = mail.test
auth_default_realm = mail.test
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
passdb {
  driver = oauth2
  mechanisms = oauthbearer xoauth2
  args = $D/oauth2.conf
}
passdb {
  # EXTERNAL: the verified certificate is the credential.
  driver = static
  mechanisms = external
  args = nopassword=y
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/passwd
}
userdb {
  driver = passwd-file
  args = $D/passwd
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service managesieve-login {
  inet_listener sieve {
    port = $SIEVE_PORT
  }
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service doveadm {
  inet_listener {
    port = 0
  }
}
EOT

python3 "$(dirname "$0")/oauth2.py" 127.0.0.1 "$OAUTH_PORT" "$TOKEN" \
    "$USER_NAME" "$D/oauth2.pid" > "$D/oauth2.log" 2>&1 &
dovecot -c "$D/dovecot.conf" > "$D/dovecot.start" 2>&1 ||
    die "dovecot did not start: $(cat "$D/dovecot.start")"

cat << EOT
SASL_IMAP_PORT=$IMAP_PORT
SASL_SIEVE_PORT=$SIEVE_PORT
OAUTH_PORT=$OAUTH_PORT
OAUTH_TOKEN=$TOKEN
CLIENT_CERT=$D/client.pem
CLIENT_KEY=$D/client-key.pem
SASL_DOVECOT_LOG=$D/dovecot.log
EOT
