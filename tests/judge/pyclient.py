#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Python's own mail clients, driven as a careful program would drive
them, for mailscope judge's tests.

    pyclient.py smtp|imap|pop3 HOST PORT CAFILE

STARTTLS with a context that verifies against CAFILE, the capabilities
asked again inside TLS (smtplib and imaplib do it themselves), then the
demo account's login; SMTP sends a short message.  Exit 0 when all went
through, 1 with the library's error on stderr.
"""
import imaplib
import poplib
import smtplib
import ssl
import sys

USER, PASS = 'demo', 'demo'


def main():
    proto, host, port, ca = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        sys.argv[4]
    ctx = ssl.create_default_context(cafile=ca)
    try:
        if proto == 'smtp':
            s = smtplib.SMTP(host, port, timeout=10)
            s.starttls(context=ctx)
            s.login(USER, PASS)
            s.sendmail('py@example.test', ['demo@lab.mailscope.test'],
                       'Subject: judge\r\n\r\nfrom smtplib\r\n')
            s.quit()
        elif proto == 'imap':
            m = imaplib.IMAP4(host, port, timeout=10)
            m.starttls(ssl_context=ctx)
            m.login(USER, PASS)
            m.select('INBOX')
            m.logout()
        else:
            p = poplib.POP3(host, port, timeout=10)
            p.stls(context=ctx)
            p.capa()
            p.user(USER)
            p.pass_(PASS)
            p.stat()
            p.quit()
    except (OSError, smtplib.SMTPException, imaplib.IMAP4.error,
            poplib.error_proto) as e:
        print('pyclient: %s: %s' % (type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
