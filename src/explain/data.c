/* SPDX-License-Identifier: ISC */
/*
 * The glosses of explain mode: plain words and a reference for every code,
 * keyword, capability, command, TLS fact and warning mailscope knows.  All
 * of them live here, in one place, so that tests can walk them and the
 * views never carry text of their own.
 *
 * G() joins the text and its reference at compile time: lookups hand out
 * one constant string, tests still see the reference on its own.
 */
#include "explain/explain.h"

#define G(k, t, r)	{ k, t " (" r ")", r }
#define N(a)		(sizeof(a) / sizeof((a)[0]))

/* SMTP reply code classes, by first digit. */
static const struct explain_entry smtp_class[] = {
	G("2", "2xx: success, the server did what was asked.",
	    "RFC 5321 §4.2.1"),
	G("3", "3xx: intermediate, the server waits for more input before "
	    "it can finish.", "RFC 5321 §4.2.1"),
	G("4", "4xx: temporary failure; the same command may work later, a "
	    "mail client retries.", "RFC 5321 §4.2.1"),
	G("5", "5xx: permanent failure; repeating the command unchanged will "
	    "fail again.", "RFC 5321 §4.2.1"),
};

/* SMTP and LMTP reply codes. */
static const struct explain_entry smtp_code[] = {
	G("211", "System status or help reply.", "RFC 5321 §4.2.2"),
	G("214", "Help message for a human reader.", "RFC 5321 §4.2.2"),
	G("220", "Service ready: the greeting, or the go-ahead for the TLS "
	    "handshake after STARTTLS.", "RFC 5321 §4.2.2, RFC 3207 §4"),
	G("221", "The server closes the connection, normally after QUIT.",
	    "RFC 5321 §4.2.2"),
	G("235", "Authentication succeeded.", "RFC 4954 §6"),
	G("250", "Requested action okay, completed.  In reply to EHLO, each "
	    "following line names one extension.", "RFC 5321 §4.2.2"),
	G("251", "User not local; the server will forward the message.",
	    "RFC 5321 §4.2.2"),
	G("252", "Cannot verify the user, but the message would be accepted "
	    "and delivery attempted.", "RFC 5321 §4.2.2"),
	G("334", "AUTH challenge: the text is base64 and the client answers "
	    "with one base64 line (or * to cancel).", "RFC 4954 §4"),
	G("354", "Start mail input: send the message, end it with a line "
	    "holding a single dot.", "RFC 5321 §4.2.2"),
	G("421", "Service not available: the server is closing the "
	    "connection (overload, shutdown, or too many errors).",
	    "RFC 5321 §4.2.2"),
	G("432", "A password transition is needed before this mechanism "
	    "can be used.", "RFC 4954 §6"),
	G("450", "Mailbox unavailable for now (busy, or blocked by a policy "
	    "such as greylisting); try again later.", "RFC 5321 §4.2.2"),
	G("451", "Local error in processing; the action was aborted, try "
	    "again later.", "RFC 5321 §4.2.2"),
	G("452", "Insufficient system storage, or too many recipients for "
	    "now.", "RFC 5321 §4.2.2"),
	G("454", "Temporary failure: TLS not available now, or temporary "
	    "authentication failure.", "RFC 3207 §4, RFC 4954 §6"),
	G("455", "The server cannot accommodate the MAIL or RCPT parameters "
	    "right now.", "RFC 5321 §4.2.2"),
	G("500", "Syntax error: command unrecognised, or the line was too "
	    "long.", "RFC 5321 §4.2.2"),
	G("501", "Syntax error in the parameters or arguments.",
	    "RFC 5321 §4.2.2"),
	G("502", "This server does not support the command.",
	    "RFC 5321 §4.2.2"),
	G("503", "Bad sequence of commands: something else must come first "
	    "(EHLO, MAIL, RCPT, or STARTTLS twice).", "RFC 5321 §4.2.2"),
	G("504", "This server does not support the command's parameter "
	    "(for AUTH: an unknown mechanism).", "RFC 5321 §4.2.2, RFC 4954 §6"),
	G("521", "This host does not accept mail at all.", "RFC 7504 §3"),
	G("530", "Authentication required, or STARTTLS must come first: "
	    "the server refuses this command on this connection.",
	    "RFC 4954 §6, RFC 3207 §4"),
	G("534", "Authentication mechanism too weak for this server's "
	    "policy.", "RFC 4954 §6"),
	G("535", "Authentication credentials invalid: wrong user name or "
	    "password.", "RFC 4954 §6"),
	G("538", "This authentication mechanism needs an encrypted "
	    "connection: use STARTTLS first.", "RFC 4954 §6"),
	G("550", "Mailbox unavailable (unknown user, or refused by policy); "
	    "the action was not taken.", "RFC 5321 §4.2.2"),
	G("551", "User not local; the reply names where to send instead.",
	    "RFC 5321 §4.2.2"),
	G("552", "Exceeded storage allocation (mailbox full or message too "
	    "big).", "RFC 5321 §4.2.2"),
	G("553", "Mailbox name not allowed (bad address syntax or not "
	    "permitted).", "RFC 5321 §4.2.2"),
	G("554", "Transaction failed; as a greeting: no SMTP service here.",
	    "RFC 5321 §4.2.2"),
	G("555", "MAIL FROM or RCPT TO parameters not recognised or not "
	    "implemented.", "RFC 5321 §4.2.2"),
	G("556", "The recipient's domain does not accept mail.",
	    "RFC 7504 §3"),
};

/* Enhanced status code classes (first number). */
static const struct explain_entry esc_class[] = {
	G("2", "Enhanced status 2.X.X: success.", "RFC 3463 §2"),
	G("4", "Enhanced status 4.X.X: persistent transient failure; the "
	    "message may go through later.", "RFC 3463 §2"),
	G("5", "Enhanced status 5.X.X: permanent failure; resending as is "
	    "will not work.", "RFC 3463 §2"),
};

/* Enhanced status code subjects (second number). */
static const struct explain_entry esc_subject[] = {
	G("X.0.X", "Subject: other or undefined.", "RFC 3463 §2"),
	G("X.1.X", "Subject: addressing (sender or recipient address).",
	    "RFC 3463 §2"),
	G("X.2.X", "Subject: the recipient's mailbox.", "RFC 3463 §2"),
	G("X.3.X", "Subject: the receiving mail system.", "RFC 3463 §2"),
	G("X.4.X", "Subject: network and routing.", "RFC 3463 §2"),
	G("X.5.X", "Subject: the mail delivery protocol itself.",
	    "RFC 3463 §2"),
	G("X.6.X", "Subject: message content or media.", "RFC 3463 §2"),
	G("X.7.X", "Subject: security or policy.", "RFC 3463 §2"),
};

/* Enhanced status codes, subject and detail (IANA registry). */
static const struct explain_entry esc_detail[] = {
	G("X.0.0", "Other undefined status: no more detail given.",
	    "RFC 3463 §3.1"),
	G("X.1.0", "Other address status.", "RFC 3463 §3.2"),
	G("X.1.1", "Bad destination mailbox address: the user does not "
	    "exist there.", "RFC 3463 §3.2"),
	G("X.1.2", "Bad destination system address: the domain or host "
	    "cannot be used.", "RFC 3463 §3.2"),
	G("X.1.3", "Bad destination mailbox address syntax.",
	    "RFC 3463 §3.2"),
	G("X.1.4", "Destination mailbox address ambiguous.",
	    "RFC 3463 §3.2"),
	G("X.1.5", "Destination address valid.", "RFC 3463 §3.2"),
	G("X.1.6", "Destination mailbox has moved, no forwarding address.",
	    "RFC 3463 §3.2"),
	G("X.1.7", "Bad sender's mailbox address syntax.", "RFC 3463 §3.2"),
	G("X.1.8", "Bad sender's system address (domain).",
	    "RFC 3463 §3.2"),
	G("X.1.9", "Message relayed to a non-compliant mailer.",
	    "RFC 3886"),
	G("X.1.10", "The recipient's domain has a null MX: it takes no "
	    "mail.", "RFC 7505"),
	G("X.2.0", "Other or undefined mailbox status.", "RFC 3463 §3.3"),
	G("X.2.1", "Mailbox disabled, not accepting messages.",
	    "RFC 3463 §3.3"),
	G("X.2.2", "Mailbox full.", "RFC 3463 §3.3"),
	G("X.2.3", "Message length exceeds an administrative limit.",
	    "RFC 3463 §3.3"),
	G("X.2.4", "Mailing list expansion problem.", "RFC 3463 §3.3"),
	G("X.3.0", "Other or undefined mail system status.",
	    "RFC 3463 §3.4"),
	G("X.3.1", "Mail system full (out of disk).", "RFC 3463 §3.4"),
	G("X.3.2", "System not accepting network messages.",
	    "RFC 3463 §3.4"),
	G("X.3.3", "System not capable of the selected features.",
	    "RFC 3463 §3.4"),
	G("X.3.4", "Message too big for the system.", "RFC 3463 §3.4"),
	G("X.3.5", "System incorrectly configured.", "RFC 3463 §3.4"),
	G("X.3.6", "The requested priority was changed.", "RFC 6710"),
	G("X.4.0", "Other or undefined network or routing status.",
	    "RFC 3463 §3.5"),
	G("X.4.1", "No answer from the next host.", "RFC 3463 §3.5"),
	G("X.4.2", "Bad connection to the next host.", "RFC 3463 §3.5"),
	G("X.4.3", "Directory server (DNS) failure.", "RFC 3463 §3.5"),
	G("X.4.4", "Unable to route the message.", "RFC 3463 §3.5"),
	G("X.4.5", "Mail system congestion.", "RFC 3463 §3.5"),
	G("X.4.6", "Routing loop detected.", "RFC 3463 §3.5"),
	G("X.4.7", "Delivery time expired.", "RFC 3463 §3.5"),
	G("X.5.0", "Other or undefined protocol status.", "RFC 3463 §3.6"),
	G("X.5.1", "Invalid command.", "RFC 3463 §3.6"),
	G("X.5.2", "Syntax error.", "RFC 3463 §3.6"),
	G("X.5.3", "Too many recipients.", "RFC 3463 §3.6"),
	G("X.5.4", "Invalid command arguments.", "RFC 3463 §3.6"),
	G("X.5.5", "Wrong protocol version.", "RFC 3463 §3.6"),
	G("X.5.6", "Authentication exchange line is too long.",
	    "RFC 4954 §6"),
	G("X.6.0", "Other or undefined media error.", "RFC 3463 §3.7"),
	G("X.6.1", "Media not supported.", "RFC 3463 §3.7"),
	G("X.6.2", "Conversion required and prohibited.", "RFC 3463 §3.7"),
	G("X.6.3", "Conversion required but not supported.",
	    "RFC 3463 §3.7"),
	G("X.6.4", "Conversion with loss performed.", "RFC 3463 §3.7"),
	G("X.6.5", "Conversion failed.", "RFC 3463 §3.7"),
	G("X.6.6", "Message content not available (BURL).", "RFC 4468 §7"),
	G("X.6.7", "Non-ASCII addresses not permitted for this sender or "
	    "recipient.", "RFC 6531"),
	G("X.6.8", "A UTF-8 reply is required but the client did not ask "
	    "for SMTPUTF8.", "RFC 6531"),
	G("X.6.9", "A UTF-8 header message cannot be passed on to a "
	    "recipient.", "RFC 6531"),
	G("X.7.0", "Other or undefined security status; often: "
	    "authentication or STARTTLS required first.", "RFC 3463 §3.8"),
	G("X.7.1", "Delivery not authorised, message refused (relaying "
	    "denied, sender blocked).", "RFC 3463 §3.8"),
	G("X.7.2", "Mailing list expansion prohibited.", "RFC 3463 §3.8"),
	G("X.7.3", "Security conversion required but not possible.",
	    "RFC 3463 §3.8"),
	G("X.7.4", "Security features not supported.", "RFC 3463 §3.8"),
	G("X.7.5", "Cryptographic failure.", "RFC 3463 §3.8"),
	G("X.7.6", "Cryptographic algorithm not supported.",
	    "RFC 3463 §3.8"),
	G("X.7.7", "Message integrity failure.", "RFC 3463 §3.8"),
	G("X.7.8", "Authentication credentials invalid.", "RFC 4954 §6"),
	G("X.7.9", "Authentication mechanism is too weak.", "RFC 4954 §6"),
	G("X.7.10", "Encryption needed: use STARTTLS first.",
	    "RFC 5248"),
	G("X.7.11", "Encryption required for the requested authentication "
	    "mechanism.", "RFC 4954 §6"),
	G("X.7.12", "A password transition is needed.", "RFC 4954 §6"),
	G("X.7.13", "User account disabled.", "RFC 5248"),
	G("X.7.14", "Trust relationship required.", "RFC 5248"),
	G("X.7.15", "Priority level is too low.", "RFC 6710"),
	G("X.7.16", "Message is too big for the requested priority.",
	    "RFC 6710"),
	G("X.7.17", "Mailbox owner has changed.", "RFC 7293"),
	G("X.7.18", "Domain owner has changed.", "RFC 7293"),
	G("X.7.19", "The RRVS test cannot be completed.", "RFC 7293"),
	G("X.7.20", "No passing DKIM signature found.", "RFC 7372"),
	G("X.7.21", "No acceptable DKIM signature found.", "RFC 7372"),
	G("X.7.22", "No valid author-matched DKIM signature found.",
	    "RFC 7372"),
	G("X.7.23", "SPF validation failed.", "RFC 7372"),
	G("X.7.24", "SPF validation error.", "RFC 7372"),
	G("X.7.25", "Reverse DNS validation failed.", "RFC 7372"),
	G("X.7.26", "Multiple authentication checks failed.",
	    "RFC 7372"),
	G("X.7.27", "The sender's domain has a null MX: it cannot receive "
	    "replies.", "RFC 7505"),
	G("X.7.29", "ARC validation failure.", "RFC 8617"),
	G("X.7.30", "REQUIRETLS support required: the message asked for TLS "
	    "all the way and this hop cannot promise it.", "RFC 8689"),
};

/* EHLO keywords (IANA SMTP Service Extensions and common private ones). */
static const struct explain_entry ehlo[] = {
	G("8BITMIME", "The server accepts 8-bit message bodies "
	    "(MAIL FROM ... BODY=8BITMIME).", "RFC 6152"),
	G("ATRN", "Authenticated TURN: on-demand relay, the roles swap so "
	    "the server delivers queued mail to the client.", "RFC 2645"),
	G("AUTH", "SMTP AUTH: the client may log in with one of the listed "
	    "SASL mechanisms.  Sensible only inside TLS.", "RFC 4954 §3"),
	G("BINARYMIME", "The server accepts binary bodies sent with BDAT.",
	    "RFC 3030 §3"),
	G("BURL", "The message may be pulled from an IMAP URL instead of "
	    "sent again.", "RFC 4468"),
	G("CHECKPOINT", "Checkpoint/restart: an interrupted transaction can "
	    "resume.", "RFC 1845"),
	G("CHUNKING", "BDAT is available: the body is sent in counted "
	    "chunks, no dot-stuffing.", "RFC 3030 §2"),
	G("CONNEG", "Content negotiation for Internet fax.", "RFC 4141"),
	G("CONPERM", "Content conversion permission for Internet fax.",
	    "RFC 4141"),
	G("DELIVERBY", "The client may ask for delivery within a time "
	    "limit (MAIL FROM ... BY=).", "RFC 2852"),
	G("DSN", "Delivery status notifications: the client chooses when a "
	    "bounce or a success report is sent (NOTIFY=, RET=, ENVID=).",
	    "RFC 3461"),
	G("ENHANCEDSTATUSCODES", "Replies carry an enhanced status code "
	    "like 5.7.1 after the reply code.", "RFC 2034"),
	G("ETRN", "The client may ask the server to start delivering mail "
	    "queued for a domain.", "RFC 1985"),
	G("EXPN", "The server may expand a mailing list to its members; "
	    "often disabled to protect addresses.", "RFC 5321 §3.5"),
	G("FUTURERELEASE", "The message may be held until a later release "
	    "time.", "RFC 4865"),
	G("HELP", "The HELP command gives human-readable help.",
	    "RFC 5321 §4.1.1.8"),
	G("LIMITS", "The server announces its limits (recipients, "
	    "transactions) so clients need not guess.", "RFC 9422"),
	G("MT-PRIORITY", "Message transfer priorities may be requested.",
	    "RFC 6710"),
	G("MTRK", "Message tracking may be requested.", "RFC 3885"),
	G("NO-SOLICITING", "The server states it does not want solicited "
	    "offers of the listed kinds.", "RFC 3865"),
	G("PIPELINING", "The client may send several commands without "
	    "waiting for each reply.  Never across STARTTLS.",
	    "RFC 2920, RFC 3207 §4"),
	G("REQUIRETLS", "The server honours REQUIRETLS: the message is only "
	    "relayed over verified TLS.", "RFC 8689"),
	G("RRVS", "Require-recipient-valid-since: refuse if the mailbox "
	    "changed owner.", "RFC 7293"),
	G("SAML", "Send and mail (historic, removed from SMTP).",
	    "RFC 821"),
	G("SEND", "Send to terminal (historic, removed from SMTP).",
	    "RFC 821"),
	G("SIZE", "The largest message the server accepts, in bytes "
	    "(0 or absent: no fixed limit).", "RFC 1870"),
	G("SMTPUTF8", "Internationalised addresses and headers in UTF-8 are "
	    "accepted.", "RFC 6531"),
	G("SOML", "Send or mail (historic, removed from SMTP).", "RFC 821"),
	G("STARTTLS", "The server offers to switch this connection to TLS.  "
	    "In plaintext an attacker can strip this line, so a client "
	    "that needs TLS must insist.", "RFC 3207 §4"),
	G("TURN", "Reverse the roles (historic and insecure; never "
	    "offered today).", "RFC 821"),
	G("UTF8SMTP", "Experimental forerunner of SMTPUTF8.", "RFC 5336"),
	G("VERB", "Sendmail's verbose mode (private).", "Sendmail"),
	G("VRFY", "The server may confirm whether an address exists; often "
	    "disabled to resist address harvesting.", "RFC 5321 §3.5"),
	G("X-EXPS", "Exchange's private AUTH variant.", "MS-OXSMTP"),
	G("X-LINK2STATE", "Exchange's private link state routing "
	    "extension.", "MS-OXSMTP"),
	G("XCLIENT", "Postfix: a trusted proxy may tell the server the real "
	    "client's address and name.", "Postfix XCLIENT_README"),
	G("XEXCH50", "Exchange's private transfer of message properties.",
	    "MS-OXSMTP"),
	G("XFORWARD", "Postfix: a content filter may pass on the original "
	    "client's details for logging.", "Postfix XFORWARD_README"),
	G("XOAUTH2", "Google's OAuth 2.0 login, offered as a keyword by a "
	    "few servers; normally a mechanism listed after AUTH.",
	    "Google XOAUTH2 protocol"),
	G("XVERP", "Postfix: variable envelope return paths.",
	    "Postfix VERP_README"),
	G("XXXXXXXA", "Not an extension: STARTTLS overwritten with X's of "
	    "the same length by a middlebox (a firewall's SMTP inspection, "
	    "or an attacker), so the client never sees the offer and stays "
	    "in plaintext.  This is STARTTLS stripping.",
	    "RFC 3207 §6, \"NO STARTTLS\" USENIX Security 2021"),
	G("XXXXXXXX", "Not an extension: STARTTLS blanked out with X's of "
	    "the same length by a middlebox, so the client never sees the "
	    "offer and stays in plaintext.  This is STARTTLS stripping.",
	    "RFC 3207 §6, \"NO STARTTLS\" USENIX Security 2021"),
};

/* SASL mechanisms (IANA registry). */
static const struct explain_entry sasl[] = {
	G("ANONYMOUS", "Log in without an identity.", "RFC 4505"),
	G("CRAM-MD5", "Challenge-response with an MD5 HMAC: the password "
	    "is not sent, but the server stores it in clear; obsolete.",
	    "RFC 2195"),
	G("DIGEST-MD5", "Digest challenge-response; historic, do not use.",
	    "RFC 2831, RFC 6331"),
	G("EXTERNAL", "Identity comes from outside SASL, normally the TLS "
	    "client certificate.", "RFC 4422 App. A"),
	G("GS2-KRB5", "Kerberos through the GS2 bridge.", "RFC 5801"),
	G("GSSAPI", "Kerberos V5 single sign-on.", "RFC 4752"),
	G("KERBEROS_V4", "Kerberos version 4; obsolete.", "RFC 1731"),
	G("LOGIN", "User name and password, each in base64 after a "
	    "\"Username:\" and \"Password:\" prompt: readable by anyone "
	    "without TLS.", "draft-murchison-sasl-login"),
	G("NTLM", "Microsoft NTLM challenge-response; weak.", "MS-NLMP"),
	G("OAUTHBEARER", "An OAuth 2.0 bearer token instead of a password.",
	    "RFC 7628"),
	G("OTP", "One-time password.", "RFC 2444"),
	G("PLAIN", "User name and password in one base64 string: readable "
	    "by anyone without TLS.", "RFC 4616"),
	G("SCRAM-SHA-1", "Salted challenge-response: neither side learns a "
	    "reusable password.", "RFC 5802"),
	G("SCRAM-SHA-1-PLUS", "SCRAM-SHA-1 bound to this TLS channel, which "
	    "defeats a man in the middle.", "RFC 5802, RFC 5929"),
	G("SCRAM-SHA-256", "Salted challenge-response with SHA-256.",
	    "RFC 7677"),
	G("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256 bound to this TLS channel.",
	    "RFC 7677, RFC 9266"),
	G("XOAUTH2", "Google's OAuth 2.0 token login.",
	    "Google XOAUTH2 protocol"),
};

/* IMAP line structure and status responses. */
static const struct explain_entry imap_status[] = {
	G("*", "Untagged response: data or status the server sends on its "
	    "own, not the end of a command.", "RFC 9051 §2.2.2"),
	G("+", "Continuation request: the server waits for more from the "
	    "client (a literal, or the next step of AUTHENTICATE).",
	    "RFC 9051 §7.6"),
	G("TAGGED", "Tagged response: it ends the command that carried the "
	    "same tag.", "RFC 9051 §2.2.2"),
	G("OK", "Success (tagged), or information (untagged).",
	    "RFC 9051 §7.1.1"),
	G("NO", "The command failed: the server understood it but would "
	    "not do it.", "RFC 9051 §7.1.2"),
	G("BAD", "Protocol error: the command was not understood.",
	    "RFC 9051 §7.1.3"),
	G("BYE", "The server is closing the connection.",
	    "RFC 9051 §7.1.5"),
	G("PREAUTH", "PREAUTH greeting: already logged in, no login needed. "
	    " Over plaintext it also means STARTTLS can never be used.",
	    "RFC 9051 §7.1.4, §6.2.1"),
};

/* IMAP response codes, the bracketed word after the status. */
static const struct explain_entry imap_code[] = {
	G("ALERT", "A message the client must show the user as is.  Only "
	    "trustworthy inside TLS.", "RFC 9051 §7.1"),
	G("ALREADYEXISTS", "The mailbox already exists.", "RFC 5530 §3"),
	G("APPENDUID", "The UID validity and UID the new message got.",
	    "RFC 4315 §3"),
	G("AUTHENTICATIONFAILED", "Wrong user name or password (or the "
	    "mechanism failed).", "RFC 5530 §3"),
	G("AUTHORIZATIONFAILED", "Credentials fine, but this identity may "
	    "not act as the requested user.", "RFC 5530 §3"),
	G("BADCHARSET", "The SEARCH charset is not supported; the list of "
	    "supported ones may follow.", "RFC 9051 §7.1"),
	G("BADCOMPARATOR", "Unknown collation comparator.", "RFC 5255 §4.9"),
	G("BADURL", "The URL given could not be fetched.", "RFC 4469 §5"),
	G("CANNOT", "The operation violates a server rule and will never "
	    "work.", "RFC 5530 §3"),
	G("CAPABILITY", "The capability list, sent along with a status "
	    "response to save a round trip.", "RFC 9051 §7.1"),
	G("CLIENTBUG", "The server thinks the client sent something it "
	    "should not have.", "RFC 5530 §3"),
	G("CLOSED", "The previous mailbox was closed (QRESYNC).",
	    "RFC 7162 §3.2.11"),
	G("COMPRESSIONACTIVE", "Compression is already on.", "RFC 4978 §4"),
	G("CONTACTADMIN", "The user should contact the administrator.",
	    "RFC 5530 §3"),
	G("COPYUID", "The UIDs the copied messages got in the target.",
	    "RFC 4315 §3"),
	G("CORRUPTION", "The server found corrupted data.", "RFC 5530 §3"),
	G("EXPIRED", "The credentials or the account have expired.",
	    "RFC 5530 §3"),
	G("EXPUNGEISSUED", "Another session deleted messages meanwhile.",
	    "RFC 5530 §3"),
	G("HASCHILDREN", "The mailbox has children and cannot be deleted "
	    "that way.", "RFC 9051 §7.1"),
	G("HIGHESTMODSEQ", "The highest modification sequence in the "
	    "mailbox.", "RFC 7162 §3.1.2.1"),
	G("INUSE", "The resource is in use by another session; try "
	    "later.", "RFC 5530 §3"),
	G("LIMIT", "A server limit was reached.", "RFC 5530 §3"),
	G("METADATA", "A metadata limit was hit.", "RFC 5464 §4.2"),
	G("MODIFIED", "Some messages changed since the given modification "
	    "sequence.", "RFC 7162 §3.1.3"),
	G("NOMODSEQ", "The mailbox does not keep modification sequences.",
	    "RFC 7162 §3.1.2.2"),
	G("NONEXISTENT", "The mailbox or object does not exist.",
	    "RFC 5530 §3"),
	G("NOPERM", "Access control forbids this.", "RFC 5530 §3"),
	G("NOTSAVED", "The search result was not saved.", "RFC 5182 §2.1"),
	G("OVERQUOTA", "The quota is exceeded.", "RFC 5530 §3"),
	G("PARSE", "A message could not be parsed.", "RFC 9051 §7.1"),
	G("PERMANENTFLAGS", "Flags the client may change permanently.",
	    "RFC 9051 §7.1"),
	G("PRIVACYREQUIRED", "Refused because the connection is not "
	    "private: use STARTTLS or TLS first.", "RFC 5530 §3"),
	G("READ-ONLY", "The mailbox is selected read-only.",
	    "RFC 9051 §7.1"),
	G("READ-WRITE", "The mailbox is selected read-write.",
	    "RFC 9051 §7.1"),
	G("REFERRAL", "Go to another server for this.", "RFC 2221 §4.1"),
	G("SERVERBUG", "The server hit an internal bug.", "RFC 5530 §3"),
	G("TOOBIG", "The message is too big.", "RFC 4469 §5"),
	G("TRYCREATE", "The target mailbox does not exist; CREATE it "
	    "first.", "RFC 9051 §7.1"),
	G("UIDNEXT", "The UID the next new message will get.",
	    "RFC 9051 §7.1"),
	G("UIDNOTSTICKY", "UIDs in this mailbox do not persist.",
	    "RFC 4315 §3"),
	G("UIDVALIDITY", "Identifies this generation of UIDs; if it "
	    "changes, cached UIDs are void.", "RFC 9051 §7.1"),
	G("UNAVAILABLE", "Temporary failure: a backend is down; try "
	    "later.", "RFC 5530 §3"),
	G("UNKNOWN-CTE", "Unknown content transfer encoding.",
	    "RFC 3516 §4.3"),
	G("UNSEEN", "The number of the first unseen message (IMAP4rev1).",
	    "RFC 3501 §7.1"),
	G("USEATTR", "The special-use attribute is not supported.",
	    "RFC 6154 §6"),
};

/* IMAP capability atoms; keys ending in '=' match a family. */
static const struct explain_entry imap_cap[] = {
	G("ACL", "Access control lists on mailboxes.", "RFC 4314"),
	G("APPENDLIMIT", "The largest message APPEND accepts.", "RFC 7889"),
	G("AUTH=", "AUTHENTICATE with the named SASL mechanism is "
	    "available.", "RFC 9051 §6.2.2"),
	G("BINARY", "Messages may be fetched and appended in binary.",
	    "RFC 3516"),
	G("CATENATE", "APPEND may build a message from parts on the server.",
	    "RFC 4469"),
	G("CHILDREN", "LIST says whether a mailbox has children.",
	    "RFC 3348"),
	G("COMPRESS=", "The connection may be compressed (DEFLATE).",
	    "RFC 4978"),
	G("CONDSTORE", "Conditional STORE and modification sequences.",
	    "RFC 7162"),
	G("CONTEXT=", "Search or sort results kept up to date.",
	    "RFC 5267"),
	G("CONVERT", "The server converts message parts.", "RFC 5259"),
	G("CREATE-SPECIAL-USE", "CREATE may mark a special-use mailbox.",
	    "RFC 6154"),
	G("ENABLE", "The client may switch on extensions with ENABLE.",
	    "RFC 5161"),
	G("ESEARCH", "Extended SEARCH results (MIN, MAX, COUNT, ALL).",
	    "RFC 4731"),
	G("ESORT", "Extended SORT results.", "RFC 5267"),
	G("FILTERS", "Named search filters.", "RFC 5466"),
	G("I18NLEVEL=", "Internationalised comparisons and sorting.",
	    "RFC 5255"),
	G("ID", "Client and server may exchange name and version.",
	    "RFC 2971"),
	G("IDLE", "The server pushes mailbox changes while the client "
	    "waits.", "RFC 2177"),
	G("IMAP4", "Compatibility with the older IMAP4.", "RFC 1730"),
	G("IMAP4REV1", "The server speaks IMAP4rev1.", "RFC 3501"),
	G("IMAP4REV2", "The server speaks IMAP4rev2.", "RFC 9051"),
	G("LANGUAGE", "Server messages in other languages.", "RFC 5255"),
	G("LIST-EXTENDED", "LIST with selection and return options.",
	    "RFC 5258"),
	G("LIST-MYRIGHTS", "LIST may return the user's rights.",
	    "RFC 8440"),
	G("LIST-STATUS", "LIST may return STATUS data too.", "RFC 5819"),
	G("LITERAL+", "Non-synchronising literals: the client sends {n+} "
	    "data without waiting for a continuation.", "RFC 7888"),
	G("LITERAL-", "Non-synchronising literals up to 4096 bytes.",
	    "RFC 7888"),
	G("LOGIN-REFERRALS", "The server may refer a login elsewhere.",
	    "RFC 2221"),
	G("LOGINDISABLED", "LOGIN is refused on this connection, so no "
	    "password can be sent in plaintext; it should vanish after "
	    "STARTTLS.", "RFC 9051 §6.2.3, RFC 2595 §3.2"),
	G("MAILBOX-REFERRALS", "The server may refer mailboxes elsewhere.",
	    "RFC 2193"),
	G("METADATA", "Mailbox annotations.", "RFC 5464"),
	G("METADATA-SERVER", "Server annotations.", "RFC 5464"),
	G("MOVE", "Messages can be moved in one step.", "RFC 6851"),
	G("MULTIAPPEND", "Several messages in one APPEND.", "RFC 3502"),
	G("NAMESPACE", "The server names personal, other and shared "
	    "folders.", "RFC 2342"),
	G("NOTIFY", "The client chooses which events are pushed.",
	    "RFC 5465"),
	G("OBJECTID", "Stable ids for mailboxes and messages.", "RFC 8474"),
	G("PARTIAL", "Paged SEARCH and FETCH results.", "RFC 9394"),
	G("PREVIEW", "Short text previews of messages.", "RFC 8970"),
	G("QRESYNC", "Quick mailbox resynchronisation after reconnect.",
	    "RFC 7162"),
	G("QUOTA", "Storage quotas can be read.", "RFC 9208"),
	G("QUOTA=", "A quota resource or quota setting is supported.",
	    "RFC 9208"),
	G("REPLACE", "A message can be replaced in one step.", "RFC 8508"),
	G("RIGHTS=", "Extra ACL rights the server supports.", "RFC 4314"),
	G("SASL-IR", "The first SASL response may ride on the AUTHENTICATE "
	    "line, saving a round trip.", "RFC 4959"),
	G("SAVEDATE", "The date a message was saved can be fetched.",
	    "RFC 8514"),
	G("SEARCH=", "A search extension, such as FUZZY.", "RFC 6203"),
	G("SEARCHRES", "A search result can be saved and reused as $.",
	    "RFC 5182"),
	G("SORT", "The server sorts messages.", "RFC 5256"),
	G("SORT=", "A sort extension, such as DISPLAY.", "RFC 5957"),
	G("SPECIAL-USE", "Mailboxes flagged \\Sent, \\Trash, \\Drafts ...",
	    "RFC 6154"),
	G("STARTTLS", "The server offers to switch this connection to TLS. "
	    " In plaintext an attacker can strip it, so insist on TLS.",
	    "RFC 9051 §6.2.1, RFC 2595 §3.1"),
	G("STATUS=", "Extra STATUS items, such as SIZE.", "RFC 8438"),
	G("THREAD=", "The server threads messages with the named "
	    "algorithm.", "RFC 5256"),
	G("UIDPLUS", "APPEND and COPY report the new UIDs; UID EXPUNGE.",
	    "RFC 4315"),
	G("UNAUTHENTICATE", "Log out without closing the connection.",
	    "RFC 8437"),
	G("UNSELECT", "Leave a mailbox without expunging it.", "RFC 3691"),
	G("URLAUTH", "Authorised IMAP URLs for BURL.", "RFC 4467"),
	G("UTF8=", "Mailbox names and headers in UTF-8 (ACCEPT or ONLY).",
	    "RFC 6855"),
	G("WITHIN", "Search by age (YOUNGER, OLDER).", "RFC 5032"),
	G("X-GM-EXT-1", "Gmail's private extensions (labels, thread ids).",
	    "Gmail IMAP extensions"),
	G("XLIST", "Gmail's older special folder listing, replaced by "
	    "SPECIAL-USE.", "RFC 6154 §1"),
};

/* IMAP untagged data kinds. */
static const struct explain_entry imap_data[] = {
	G("ACL", "The access control list of a mailbox.", "RFC 4314 §3.6"),
	G("CAPABILITY", "The list of what the server supports.",
	    "RFC 9051 §7.2.2"),
	G("ENABLED", "The extensions ENABLE switched on.", "RFC 5161 §3.2"),
	G("ESEARCH", "Extended search results.", "RFC 4731 §3.1"),
	G("EXISTS", "The number of messages in the mailbox.",
	    "RFC 9051 §7.4.1"),
	G("EXPUNGE", "The message with this sequence number was deleted; "
	    "later numbers shift down.", "RFC 9051 §7.5.1"),
	G("FETCH", "Data about one message (flags, headers, body ...).",
	    "RFC 9051 §7.5.2"),
	G("FLAGS", "The flags defined in the mailbox.", "RFC 9051 §7.3.5"),
	G("ID", "The server's name and version.", "RFC 2971 §3.2"),
	G("LIST", "One mailbox name, its attributes and hierarchy "
	    "delimiter.", "RFC 9051 §7.3.1"),
	G("LSUB", "One subscribed mailbox (IMAP4rev1).", "RFC 3501 §7.2.3"),
	G("METADATA", "Mailbox or server annotations.", "RFC 5464 §4.4"),
	G("MYRIGHTS", "The user's rights on a mailbox.", "RFC 4314 §3.8"),
	G("NAMESPACE", "The personal, other users' and shared namespaces.",
	    "RFC 2342 §5"),
	G("QUOTA", "Usage and limit of a quota root.", "RFC 9208 §4.3.1"),
	G("QUOTAROOT", "The quota roots of a mailbox.", "RFC 9208 §4.3.2"),
	G("RECENT", "The number of messages new since the last session "
	    "(IMAP4rev1).", "RFC 3501 §7.3.2"),
	G("SEARCH", "The message numbers that matched (IMAP4rev1).",
	    "RFC 3501 §7.2.5"),
	G("SORT", "Message numbers in sorted order.", "RFC 5256 §4"),
	G("STATUS", "Counters of a mailbox that is not selected.",
	    "RFC 9051 §7.3.3"),
	G("THREAD", "Messages grouped into threads.", "RFC 5256 §4"),
	G("VANISHED", "UIDs of messages that were deleted (QRESYNC).",
	    "RFC 7162 §3.2.10"),
};

/* POP3 status indicators. */
static const struct explain_entry pop3_status[] = {
	G("+OK", "Success: the server did what was asked.",
	    "RFC 1939 §3"),
	G("-ERR", "Failure; the text says why, a [CODE] may say more.",
	    "RFC 1939 §3"),
	G("+", "Continuation: the server waits for the next base64 step of "
	    "AUTH.", "RFC 5034 §4"),
	G(".", "A lone dot ends a multi-line response.", "RFC 1939 §3"),
};

/* POP3 CAPA tags. */
static const struct explain_entry pop3_capa[] = {
	G("AUTH-RESP-CODE", "Failed logins carry an [AUTH] code.",
	    "RFC 3206 §6"),
	G("EXPIRE", "How long the server keeps messages after retrieval "
	    "(NEVER, or days).", "RFC 2449 §6.7"),
	G("IMPLEMENTATION", "The server software's name; information only.",
	    "RFC 2449 §6.9"),
	G("LANG", "Server messages in other languages (LANG command).",
	    "RFC 6856 §3"),
	G("LOGIN-DELAY", "The minimum seconds between logins.",
	    "RFC 2449 §6.5"),
	G("PIPELINING", "Commands may be sent without waiting for each "
	    "reply.", "RFC 2449 §6.6"),
	G("RESP-CODES", "-ERR replies may carry a [CODE] in brackets.",
	    "RFC 2449 §6.4"),
	G("SASL", "AUTH with the listed SASL mechanisms.  Sensible only "
	    "inside TLS.", "RFC 2449 §6.3, RFC 5034"),
	G("STLS", "The server offers to switch this connection to TLS.  "
	    "In plaintext an attacker can strip it, so insist on TLS.",
	    "RFC 2595 §4"),
	G("TOP", "TOP is available: headers and the first lines of a "
	    "message.", "RFC 2449 §6.1"),
	G("UIDL", "UIDL is available: stable message ids.",
	    "RFC 2449 §6.8"),
	G("USER", "USER and PASS work: the password crosses the network as "
	    "typed, so only inside TLS.", "RFC 2449 §6.2"),
	G("UTF8", "UTF-8 mode may be switched on (UTF8 command).",
	    "RFC 6856 §2"),
};

/* POP3 response codes. */
static const struct explain_entry pop3_code[] = {
	G("AUTH", "Login refused because of the credentials or the way they "
	    "were given (for example in plaintext); not a temporary "
	    "problem.", "RFC 3206 §5"),
	G("IN-USE", "The mailbox is locked by another session.",
	    "RFC 2449 §8.1.1"),
	G("LOGIN-DELAY", "Logged in too soon after the last login.",
	    "RFC 2449 §8.1.2"),
	G("SYS/PERM", "A permanent server problem; retrying will not "
	    "help.", "RFC 3206 §4"),
	G("SYS/TEMP", "A temporary server problem; try later.",
	    "RFC 3206 §4"),
	G("UTF8", "The command needs UTF-8 mode.", "RFC 6856 §4"),
};

/* ManageSieve status words and what else a response line can be. */
static const struct explain_entry sieve_status[] = {
	G("BYE", "The server closes the connection; the text says why.",
	    "RFC 5804 §1.3"),
	G("NO", "Failure; a (CODE) may say why, the text is for a human "
	    "(CHECKSCRIPT and PUTSCRIPT give the script's errors there).",
	    "RFC 5804 §1.3"),
	G("OK", "Success: the command completed.", "RFC 5804 §1.3"),
	G("challenge", "A SASL challenge as a quoted string (or a literal): "
	    "the client answers with a string, or \"*\" to cancel.",
	    "RFC 5804 §2.1"),
	G("literal", "{n}: the next n bytes are a string, sent as they "
	    "are (a script from GETSCRIPT); they are never read as "
	    "responses.", "RFC 5804 §4"),
};

/* ManageSieve capabilities ("NAME" "value" lines). */
static const struct explain_entry sieve_cap[] = {
	G("IMPLEMENTATION", "The server software's name; information only.",
	    "RFC 5804 §1.7"),
	G("LANGUAGE", "The language of the server's human texts.",
	    "RFC 5804 §1.7"),
	G("MAXREDIRECTS", "The most redirect actions one script may "
	    "take.", "RFC 5804 §1.7"),
	G("NOTIFY", "The notification methods the enotify extension "
	    "supports (mailto).", "RFC 5804 §1.7"),
	G("OWNER", "The user whose scripts this session manages (after "
	    "login).", "RFC 5804 §1.7"),
	G("SASL", "AUTHENTICATE with the listed SASL mechanisms.  Sensible "
	    "only inside TLS; often empty until STARTTLS.", "RFC 5804 §1.7"),
	G("SIEVE", "The Sieve extensions scripts may require (fileinto, "
	    "vacation, ...).", "RFC 5804 §1.7, RFC 5228"),
	G("STARTTLS", "The server offers to switch this connection to TLS.  "
	    "In plaintext an attacker can strip it, so insist on TLS.",
	    "RFC 5804 §2.2"),
	G("UNAUTHENTICATE", "UNAUTHENTICATE is available: log out but keep "
	    "the connection.", "RFC 5804 §2.14.1"),
	G("VERSION", "The protocol version; 1.0 is RFC 5804.",
	    "RFC 5804 §1.7"),
};

/* ManageSieve response codes, "(CODE ...)" after OK, NO or BYE. */
static const struct explain_entry sieve_code[] = {
	G("ACTIVE", "The script is the active one: it cannot be deleted "
	    "(SETACTIVE \"\" first).", "RFC 5804 §1.3"),
	G("ALREADYEXISTS", "A script of that name exists already (RENAME"
	    "SCRIPT).", "RFC 5804 §1.3"),
	G("AUTH-TOO-WEAK", "The mechanism is too weak for this user or "
	    "site policy.", "RFC 5804 §1.3"),
	G("ENCRYPT-NEEDED", "Authentication needs TLS first (STARTTLS).",
	    "RFC 5804 §1.3"),
	G("NONEXISTENT", "No script of that name.", "RFC 5804 §1.3"),
	G("QUOTA", "A quota would be exceeded; QUOTA/MAXSCRIPTS and "
	    "QUOTA/MAXSIZE say which.", "RFC 5804 §1.3"),
	G("QUOTA/MAXSCRIPTS", "Too many scripts.", "RFC 5804 §1.3"),
	G("QUOTA/MAXSIZE", "The script is too big.", "RFC 5804 §1.3"),
	G("REFERRAL", "Go to another server (the sieve:// URL given) and "
	    "try there.", "RFC 5804 §1.3"),
	G("SASL", "The server's last SASL data with the OK, as a base64 "
	    "string (SCRAM's server proof).", "RFC 5804 §1.3, §2.1"),
	G("TAG", "Echoes the string a client sent with NOOP, to match "
	    "replies.", "RFC 5804 §1.3, §2.13"),
	G("TRANSITION-NEEDED", "The user must log in with PLAIN once so "
	    "the server can convert the password.", "RFC 5804 §1.3"),
	G("TRYLATER", "A temporary problem; try the command later.",
	    "RFC 5804 §1.3"),
	G("WARNINGS", "Success, but the script has problems worth reading "
	    "(the text lists them).", "RFC 5804 §1.3"),
};

/* SMTP and LMTP commands. */
static const struct explain_entry cmd_smtp[] = {
	G("ATRN", "Ask for queued mail after authenticating (roles swap).",
	    "RFC 2645"),
	G("AUTH", "Log in with a SASL mechanism; the exchange that follows "
	    "is base64.", "RFC 4954 §4"),
	G("BDAT", "Send a counted chunk of the message body.",
	    "RFC 3030 §2"),
	G("BURL", "Append message content from an IMAP URL.", "RFC 4468"),
	G("DATA", "Start the message; after 354 send it and end with a lone "
	    "dot.", "RFC 5321 §4.1.1.4"),
	G("EHLO", "Say hello and ask which extensions the server has.",
	    "RFC 5321 §4.1.1.1"),
	G("ETRN", "Ask the server to flush the queue for a domain.",
	    "RFC 1985"),
	G("EXPN", "Ask for the members of a mailing list.",
	    "RFC 5321 §4.1.1.7"),
	G("HELO", "Old hello without extensions.", "RFC 5321 §4.1.1.1"),
	G("HELP", "Ask for help text.", "RFC 5321 §4.1.1.8"),
	G("LHLO", "LMTP's hello: like EHLO.", "RFC 2033 §4.1"),
	G("MAIL", "Start a transaction: MAIL FROM:<sender> sets the "
	    "envelope sender.", "RFC 5321 §4.1.1.2"),
	G("NOOP", "Do nothing; checks the connection.",
	    "RFC 5321 §4.1.1.9"),
	G("QUIT", "End the session; the server answers 221 and closes.",
	    "RFC 5321 §4.1.1.10"),
	G("RCPT", "RCPT TO:<address> adds one recipient.",
	    "RFC 5321 §4.1.1.3"),
	G("RSET", "Abort the current transaction.", "RFC 5321 §4.1.1.5"),
	G("SAML", "Historic: send and mail.", "RFC 821"),
	G("SEND", "Historic: send to a terminal.", "RFC 821"),
	G("SOML", "Historic: send or mail.", "RFC 821"),
	G("STARTTLS", "Ask to switch to TLS; after 220 the TLS handshake "
	    "starts on the same connection.", "RFC 3207 §4"),
	G("TURN", "Historic: swap roles; insecure.", "RFC 821"),
	G("VRFY", "Ask whether an address exists.", "RFC 5321 §4.1.1.6"),
	G("XCLIENT", "Postfix: a trusted proxy overrides client details.",
	    "Postfix XCLIENT_README"),
	G("XFORWARD", "Postfix: pass on original client details.",
	    "Postfix XFORWARD_README"),
};

/* IMAP commands. */
static const struct explain_entry cmd_imap[] = {
	G("APPEND", "Add a message to a mailbox.", "RFC 9051 §6.3.12"),
	G("AUTHENTICATE", "Log in with a SASL mechanism; the steps are "
	    "base64 after + prompts.", "RFC 9051 §6.2.2"),
	G("CAPABILITY", "Ask what the server supports.",
	    "RFC 9051 §6.1.1"),
	G("CHECK", "Checkpoint the mailbox (IMAP4rev1).",
	    "RFC 3501 §6.4.1"),
	G("CLOSE", "Leave the mailbox, expunging deleted messages.",
	    "RFC 9051 §6.4.1"),
	G("COMPRESS", "Switch on compression.", "RFC 4978 §3"),
	G("COPY", "Copy messages to another mailbox.", "RFC 9051 §6.4.7"),
	G("CREATE", "Create a mailbox.", "RFC 9051 §6.3.4"),
	G("DELETE", "Delete a mailbox.", "RFC 9051 §6.3.5"),
	G("DELETEACL", "Remove an access control entry.", "RFC 4314 §3.2"),
	G("DONE", "End IDLE.", "RFC 2177 §3"),
	G("ENABLE", "Switch on extensions.", "RFC 5161 §3.1"),
	G("EXAMINE", "Open a mailbox read-only.", "RFC 9051 §6.3.3"),
	G("ESEARCH", "Search several mailboxes at once.", "RFC 7377 §2"),
	G("EXPUNGE", "Delete messages flagged \\Deleted.",
	    "RFC 9051 §6.4.3"),
	G("FETCH", "Fetch message data.", "RFC 9051 §6.4.5"),
	G("GETACL", "Read a mailbox's access control list.",
	    "RFC 4314 §3.3"),
	G("GETMETADATA", "Read annotations.", "RFC 5464 §4.2"),
	G("GETQUOTA", "Read a quota.", "RFC 9208 §4.2"),
	G("GETQUOTAROOT", "Read a mailbox's quota roots.",
	    "RFC 9208 §4.3"),
	G("ID", "Exchange client and server names.", "RFC 2971 §3.1"),
	G("IDLE", "Wait for the server to push changes; end with DONE.",
	    "RFC 2177 §3"),
	G("LIST", "List mailboxes.", "RFC 9051 §6.3.9"),
	G("LISTRIGHTS", "Rights that may be granted.", "RFC 4314 §3.4"),
	G("LOGIN", "Log in with user name and password in clear: only "
	    "inside TLS.", "RFC 9051 §6.2.3"),
	G("LOGOUT", "End the session; the server says BYE.",
	    "RFC 9051 §6.1.3"),
	G("LSUB", "List subscribed mailboxes (IMAP4rev1).",
	    "RFC 3501 §6.3.9"),
	G("MOVE", "Move messages to another mailbox.", "RFC 6851 §3"),
	G("MYRIGHTS", "The user's own rights.", "RFC 4314 §3.5"),
	G("NAMESPACE", "Ask for the namespaces.", "RFC 2342 §5"),
	G("NOOP", "Do nothing; collects pending updates.",
	    "RFC 9051 §6.1.2"),
	G("NOTIFY", "Choose which mailbox events the server pushes.",
	    "RFC 5465 §5"),
	G("RENAME", "Rename a mailbox.", "RFC 9051 §6.3.6"),
	G("REPLACE", "Replace a message with a new version in one step.",
	    "RFC 8508 §3"),
	G("SEARCH", "Find messages matching criteria.", "RFC 9051 §6.4.4"),
	G("SELECT", "Open a mailbox read-write.", "RFC 9051 §6.3.2"),
	G("SETACL", "Change an access control entry.", "RFC 4314 §3.1"),
	G("SETMETADATA", "Write annotations.", "RFC 5464 §4.3"),
	G("SETQUOTA", "Change a quota.", "RFC 9208 §4.4"),
	G("SORT", "Search and sort on the server.", "RFC 5256 §3"),
	G("STARTTLS", "Ask to switch to TLS; after the tagged OK the TLS "
	    "handshake starts on the same connection.", "RFC 9051 §6.2.1"),
	G("STATUS", "Ask for counters of a mailbox.", "RFC 9051 §6.3.11"),
	G("STORE", "Change message flags.", "RFC 9051 §6.4.6"),
	G("SUBSCRIBE", "Subscribe to a mailbox.", "RFC 9051 §6.3.7"),
	G("THREAD", "Search and thread on the server.", "RFC 5256 §3"),
	G("UID", "Run COPY, MOVE, FETCH, SEARCH, STORE or EXPUNGE with UIDs "
	    "instead of sequence numbers.", "RFC 9051 §6.4.9"),
	G("UNAUTHENTICATE", "Log out, keep the connection.", "RFC 8437 §2"),
	G("UNSELECT", "Leave the mailbox without expunging.",
	    "RFC 9051 §6.4.2"),
	G("UNSUBSCRIBE", "Unsubscribe from a mailbox.", "RFC 9051 §6.3.8"),
	G("XLIST", "Gmail's older listing of special folders; use LIST "
	    "with SPECIAL-USE instead.", "RFC 6154 §1"),
};

/* POP3 commands. */
static const struct explain_entry cmd_pop3[] = {
	G("APOP", "Log in with an MD5 digest of the greeting's timestamp "
	    "and the password; weak.", "RFC 1939 §7"),
	G("AUTH", "Log in with a SASL mechanism.", "RFC 5034 §4"),
	G("CAPA", "Ask what the server supports.", "RFC 2449 §5"),
	G("DELE", "Mark a message for deletion at QUIT.", "RFC 1939 §5"),
	G("LANG", "Choose the language of server messages.",
	    "RFC 6856 §3"),
	G("LIST", "Message numbers and sizes.", "RFC 1939 §5"),
	G("NOOP", "Do nothing.", "RFC 1939 §5"),
	G("PASS", "Send the password in clear: only inside TLS.",
	    "RFC 1939 §7"),
	G("QUIT", "End the session; deletions happen now.",
	    "RFC 1939 §6"),
	G("RETR", "Fetch a whole message.", "RFC 1939 §5"),
	G("RSET", "Undo deletion marks.", "RFC 1939 §5"),
	G("STAT", "Number of messages and total size.", "RFC 1939 §5"),
	G("STLS", "Ask to switch to TLS; after +OK the TLS handshake "
	    "starts on the same connection.", "RFC 2595 §4"),
	G("TOP", "Headers and the first n lines of a message.",
	    "RFC 1939 §7"),
	G("UIDL", "Stable unique ids of messages.", "RFC 1939 §7"),
	G("USER", "Send the user name (PASS follows).", "RFC 1939 §7"),
	G("UTF8", "Switch on UTF-8 mode.", "RFC 6856 §2"),
};

/* ManageSieve commands. */
static const struct explain_entry cmd_sieve[] = {
	G("AUTHENTICATE", "Log in with a SASL mechanism; the mechanism and "
	    "each response are quoted strings, an initial response may "
	    "follow the mechanism.", "RFC 5804 §2.1"),
	G("CAPABILITY", "Ask what the server supports.", "RFC 5804 §2.4"),
	G("CHECKSCRIPT", "Check a script (a string, usually a {n+} literal) "
	    "without storing it; NO gives the errors.", "RFC 5804 §2.12"),
	G("DELETESCRIPT", "Delete a script (not the active one).",
	    "RFC 5804 §2.10"),
	G("GETSCRIPT", "Fetch a script: it comes back as a literal {n} and "
	    "its n bytes.", "RFC 5804 §2.9"),
	G("HAVESPACE", "Ask whether a script of this name and size would "
	    "fit the quota.", "RFC 5804 §2.5"),
	G("LISTSCRIPTS", "The user's scripts, the active one marked "
	    "ACTIVE.", "RFC 5804 §2.7"),
	G("LOGOUT", "End the session; the server answers OK and closes.",
	    "RFC 5804 §2.3"),
	G("NOOP", "Do nothing; a string given comes back in (TAG ...).",
	    "RFC 5804 §2.13"),
	G("PUTSCRIPT", "Store a script: its name and its text, the text a "
	    "{n+} literal whose n bytes follow at once.", "RFC 5804 §2.6"),
	G("RENAMESCRIPT", "Rename a script.", "RFC 5804 §2.11"),
	G("SETACTIVE", "Make a script the one that runs on delivery "
	    "(\"\" deactivates all).", "RFC 5804 §2.8"),
	G("STARTTLS", "Ask to switch to TLS; after OK the handshake starts, "
	    "and the server sends its capabilities again unasked.",
	    "RFC 5804 §2.2"),
	G("UNAUTHENTICATE", "Log out but keep the connection (when the "
	    "server lists it).", "RFC 5804 §2.14.1"),
};

/* TLS handshake messages, matched against the step names. */
static const struct explain_entry tls_step[] = {
	G("Alert", "A TLS alert: the other side reports an error or "
	    "closes.", "RFC 8446 §6"),
	G("Certificate", "The server's certificate chain: its public key "
	    "and the names it claims, signed by an issuer.",
	    "RFC 8446 §4.4.2"),
	G("CertificateRequest", "The server asks for a client "
	    "certificate.", "RFC 8446 §4.3.2"),
	G("CertificateStatus", "A stapled OCSP answer: the issuer says the "
	    "certificate is not revoked.", "RFC 6066 §8"),
	G("CertificateVerify", "A signature over the handshake with the "
	    "certificate's key: proof the server holds the private key.",
	    "RFC 8446 §4.4.3"),
	G("ChangeCipherSpec", "From here on the records are encrypted (in "
	    "TLS 1.3 only a compatibility no-op).", "RFC 5246 §7.1"),
	G("ClientHello", "The client's offer: TLS versions, cipher suites, "
	    "key shares, and the server name (SNI).", "RFC 8446 §4.1.2"),
	G("ClientKeyExchange", "The client's key exchange part (TLS 1.2).",
	    "RFC 5246 §7.4.7"),
	G("EncryptedExtensions", "Further server choices, already "
	    "encrypted (ALPN ...).", "RFC 8446 §4.3.1"),
	G("EndOfEarlyData", "End of 0-RTT data.", "RFC 8446 §4.5"),
	G("Finished", "A MAC over the whole handshake: both sides confirm "
	    "nobody altered it.", "RFC 8446 §4.4.4"),
	G("HelloRequest", "The server asks for a new handshake "
	    "(renegotiation, TLS 1.2 and older).", "RFC 5246 §7.4.1.1"),
	G("HelloVerifyRequest", "A DTLS cookie exchange against spoofed "
	    "addresses.", "RFC 6347 §4.2.1"),
	G("HelloRetryRequest", "The server asks the client to retry with "
	    "another key share.", "RFC 8446 §4.1.4"),
	G("KeyUpdate", "Fresh traffic keys.", "RFC 8446 §4.6.3"),
	G("NewSessionTicket", "A ticket to resume the session later.",
	    "RFC 8446 §4.6.1"),
	G("Supplemental", "Supplemental handshake data (rare).",
	    "RFC 4680"),
	G("ServerHello", "The server's choice of version, cipher suite and "
	    "key share.", "RFC 8446 §4.1.3"),
	G("ServerHelloDone", "The server finished its hello (TLS 1.2).",
	    "RFC 5246 §7.4.5"),
	G("ServerKeyExchange", "The server's signed key exchange "
	    "parameters (TLS 1.2).", "RFC 5246 §7.4.3"),
};

/* TLS panel fields. */
static const struct explain_entry tls_field[] = {
	G("ALPN", "The application protocol agreed inside TLS; mail "
	    "rarely uses one.", "RFC 7301"),
	G("CA", "Whether the certificate may sign other certificates "
	    "(basic constraints).", "RFC 5280 §4.2.1.9"),
	G("chain", "The certificates the server sent, leaf first, each "
	    "signed by the next.", "RFC 5280 §6"),
	G("DANE", "TLSA records (from DNSSEC-signed DNS, or given with "
	    "--tlsa) say which key or CA the server must show; a usable "
	    "record replaces the CA system's verdict.  For SMTP only "
	    "DANE-TA(2) and DANE-EE(3) count.", "RFC 6698, RFC 7671, "
	    "RFC 7672 §3"),
	G("MTA-STS", "The mail domain's policy, fetched over HTTPS from "
	    "mta-sts.DOMAIN: in enforce mode mail goes only to an MX host it "
	    "names with a certificate valid for that name.  DANE, where it "
	    "applies, takes precedence.", "RFC 8461 §3-5, §2"),
	G("pin", "A public key pin (--pin sha256//...): the leaf's key must "
	    "hash to one of them, whatever the CAs say; a mismatch stops the "
	    "session and shows the server's own pin.", "RFC 7469 §2.4"),
	G("TLS-RPT", "Where the domain asks sending servers to report "
	    "the TLS failures they meet (its _smtp._tls record's rua: mailto: "
	    "or https: addresses).", "RFC 8460 §3"),
	G("TLSA", "One TLSA record: usage (0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, "
	    "3 DANE-EE), selector (0 whole certificate, 1 public key), "
	    "matching type (0 exact, 1 SHA-256, 2 SHA-512), then the data.",
	    "RFC 6698 §2.1"),
	G("cipher", "The cipher suite: how records are encrypted and "
	    "authenticated.", "RFC 8446 §9.1"),
	G("host", "The name the certificate must hold: the host connected "
	    "to, unless another name was asked for.", "RFC 6125 §6, "
	    "RFC 7817 §3"),
	G("group", "The elliptic curve or finite field group of the key "
	    "exchange (X25519, secp256r1, ...).", "RFC 8446 §4.2.7"),
	G("issuer", "Who signed this certificate.", "RFC 5280 §4.1.2.4"),
	G("key", "The certificate's public key type and size.",
	    "RFC 5280 §4.1.2.7"),
	G("key exch.", "Key exchange and group: how both sides agreed on "
	    "secret keys; (EC)DHE gives forward secrecy.",
	    "RFC 8446 §4.2.8"),
	G("kx", "Key exchange: how both sides agreed on secret keys; "
	    "(EC)DHE gives forward secrecy.", "RFC 8446 §4.2.8"),
	G("matched", "The SAN entry that matched the host name asked "
	    "for.", "RFC 6125 §6.4"),
	G("mac", "The message authentication code algorithm (AEAD in "
	    "TLS 1.3).", "RFC 5246 §6.2.3"),
	G("not after", "The end of the validity period: after it the "
	    "certificate must not be trusted.", "RFC 5280 §4.1.2.5"),
	G("not before", "The start of the validity period.",
	    "RFC 5280 §4.1.2.5"),
	G("OCSP", "Whether the server stapled a revocation status: none, "
	    "good, revoked, or invalid (not signed by the issuer, not for "
	    "this certificate, out of date, or no trusted issuer to check "
	    "it with).", "RFC 6066 §8, RFC 6960"),
	G("pin-sha256", "Base64 SHA-256 of the public key (SPKI), the form "
	    "used for key pinning and DANE 3 1 1.", "RFC 7469 §2.4"),
	G("reason", "Why verification failed, one reason per line; any "
	    "reason means the server's identity is unproven.",
	    "RFC 5280 §6, RFC 6125 §6"),
	G("resumed", "Whether this handshake resumed an earlier session: "
	    "from a ticket the server gave then (TLS 1.3: a pre-shared key; "
	    "TLS 1.2: a ticket or a session ID).  No certificate is sent "
	    "again, so no signature shows; the chain is the first session's.  "
	    ":reconnect resumes, :reconnect --fresh does not.",
	    "RFC 8446 §2.2, §4.6.1; RFC 5077; RFC 5246 §7.4.1.2"),
	G("SAN", "Subject alternative names: the host names and addresses "
	    "the certificate is valid for.", "RFC 5280 §4.2.1.6"),
	G("serial", "The issuer's serial number of the certificate.",
	    "RFC 5280 §4.1.2.2"),
	G("sha-256", "The SHA-256 fingerprint of the whole certificate, to "
	    "compare with one known out of band.", "RFC 6698 §2.1.2"),
	G("sha256", "The SHA-256 fingerprint of the whole certificate, to "
	    "compare with one known out of band.", "RFC 6698 §2.1.2"),
	G("sigalg", "The algorithm the issuer signed this certificate "
	    "with.", "RFC 5280 §4.1.1.2"),
	G("signature", "The signature algorithm: for the connection, what "
	    "the server signed the handshake with; for a certificate, what "
	    "its issuer signed it with.",
	    "RFC 8446 §4.2.3, RFC 5280 §4.1.1.2"),
	G("SNI", "Server name indication: the host name the client asked "
	    "for, so the server picks the right certificate.",
	    "RFC 6066 §3"),
	G("subject", "Who the certificate names (the CN); names are "
	    "checked in SAN.", "RFC 5280 §4.1.2.6"),
	G("trust", "The verdict in Postfix's words: Verified, Trusted, "
	    "Untrusted or Anonymous.", "Postfix TLS_README"),
	G("valid", "The validity period: not before and not after.",
	    "RFC 5280 §4.1.2.5"),
	G("verdict", "Whether the chain reaches a trusted root and the "
	    "host name matches.  Never ignore a failure.",
	    "RFC 5280 §6, RFC 6125 §6"),
	G("version", "The TLS protocol version, negotiated: the client "
	    "offers the versions it speaks and the server picks the highest "
	    "one it shares (a client offering 1.3 and a server stopping at "
	    "1.2 end at 1.2).  TLS 1.0 and 1.1 are deprecated.",
	    "RFC 8446 §4.2.1, RFC 8996"),
};

/* Trust levels in Postfix's words. */
static const struct explain_entry trust[] = {
	G("Anonymous", "No certificate at all (anonymous cipher).",
	    "Postfix TLS_README"),
	G("Trusted", "The chain reaches a trusted root, but the name was not "
	    "matched.", "Postfix TLS_README"),
	G("Untrusted", "Verification failed, so nothing proves who the "
	    "server is; the reasons say why.", "Postfix TLS_README"),
	G("Verified", "The chain reaches a trusted root and the name "
	    "matches: the server is who it claims.", "Postfix TLS_README"),
};

/* Verification failure reasons, by prefix. */
static const struct explain_entry verify[] = {
	G("a certificate of the chain expired", "An intermediate "
	    "certificate has expired, so the chain no longer holds.",
	    "RFC 5280 §6.1.3"),
	G("certificate chain too long", "More intermediate certificates "
	    "than allowed, or an issuer broke its name or path constraints.",
	    "RFC 5280 §4.2.1.9, §4.2.1.10"),
	G("certificate not meant for a TLS server", "The key usage or "
	    "extended key usage does not allow TLS server authentication.",
	    "RFC 5280 §4.2.1.12"),
	G("expired", "The certificate's not-after date has passed: it may "
	    "no longer be trusted.", "RFC 5280 §4.1.2.5"),
	G("DANE failed", "No usable TLSA record matched the chain: the "
	    "server is not the one DNS names, or its key changed without "
	    "its records.  The session stops as for a failed certificate.",
	    "RFC 7672 §2.2, RFC 7671 §4"),
	G("DANE not usable", "Every TLSA record has a usage, selector or "
	    "matching type the rules do not allow (PKIX-TA/PKIX-EE for "
	    "SMTP); such a set authenticates nothing, so the CA system "
	    "decides.", "RFC 7672 §2.2, §3.1.3"),
	G("DANE not used", "The TLSA records are not DNSSEC-signed: anyone "
	    "on the path could have forged them, so they are ignored.",
	    "RFC 7672 §2.2"),
	G("DANE verified", "A TLSA record matched: the key or CA the "
	    "server's own DNS names is the one it showed.",
	    "RFC 6698 §2.1, RFC 7671 §5"),
	G("digest mismatch", "The record's digest is not that of the "
	    "certificate or key compared; the one the server has is shown, "
	    "to publish after a key change.", "RFC 6698 §2.1.3, RFC 7671 "
	    "§8"),
	G("insecure signature algorithm", "Signed with a broken algorithm "
	    "(MD5, SHA-1): signatures can be forged.", "RFC 6151, RFC 9155"),
	G("issuer is not a CA", "A certificate in the chain signed another "
	    "one without being allowed to.", "RFC 5280 §4.2.1.9"),
	G("matched certificate", "DANE-TA(2): a certificate the server "
	    "sent is the trust anchor; the chain must lead to it and the "
	    "leaf hold the server's name.", "RFC 7671 §5.2, RFC 7672 "
	    "§3.1.2"),
	G("matched the leaf", "DANE-EE(3): the server's own certificate or "
	    "key is the one published; names and dates do not matter.",
	    "RFC 7671 §5.1, RFC 7672 §3.1.1"),
	G("MTA-STS: enforce", "The domain's MTA-STS policy (enforce) names "
	    "the MX hosts that may receive its mail: a sender delivers only "
	    "to a host that matches one of its mx patterns (\"*.\" stands for "
	    "one label) and whose certificate is valid under PKIX for that "
	    "name; otherwise it does not deliver.  Where DANE applies, DANE "
	    "decides.", "RFC 8461 §4.1, §4.2, §5, §2"),
	G("MTA-STS: none", "Mode none: the domain has withdrawn its policy; "
	    "a sender forgets what it cached and checks nothing.",
	    "RFC 8461 §3.2, §8.3"),
	G("MTA-STS: policy unavailable", "The domain says it has a policy "
	    "(its _mta-sts record) but none could be had over HTTPS as the "
	    "rules demand (valid certificate, HTTP 200, no redirect, "
	    "text/plain, 64 KiB at most): a sender with no cached policy "
	    "delivers as without MTA-STS.", "RFC 8461 §3.3, §5"),
	G("MTA-STS: testing", "Mode testing: the policy is checked but not "
	    "enforced; a sender delivers anyway and reports the failure "
	    "to the address in the domain's TLS-RPT record.",
	    "RFC 8461 §5, RFC 8460 §3"),
	G("no match", "A DANE-TA(2) record matched none of the certificates "
	    "the server sent after its own; the trust anchor must be among "
	    "them.", "RFC 7671 §5.2.2"),
	G("issuer unknown", "The chain does not lead to a root this machine "
	    "trusts: a missing intermediate, a private CA, or an "
	    "impostor.", "RFC 5280 §6"),
	G("name ", "The certificate is not valid for the host name asked "
	    "for: wrong server, or a man in the middle.", "RFC 6125 §6"),
	G("not valid before", "The certificate is not valid yet: a wrong "
	    "clock or a mistake.", "RFC 5280 §4.1.2.5"),
	G("OCSP", "The stapled revocation status is bad or invalid.",
	    "RFC 6960, RFC 6066 §8"),
	G("OCSP status missing", "The certificate demands a stapled OCSP "
	    "answer (must-staple) and the server sent none.", "RFC 7633"),
	G("pin NOT matched", "The leaf's public key is not one of those "
	    "pinned with --pin: a new key, or another server.",
	    "RFC 7469 §2.4"),
	G("revoked", "The issuer has withdrawn this certificate.",
	    "RFC 5280 §5"),
	G("self-signed", "The certificate signs itself; nobody vouches for "
	    "it unless you pinned it.", "RFC 5280 §6"),
	G("signature verification failed", "A signature in the chain does "
	    "not check out: corrupt or forged.", "RFC 5280 §6.1.3"),
	G("unusable", "This TLSA record cannot authenticate here: for SMTP "
	    "PKIX-TA(0) and PKIX-EE(1) are not used (no CA set is agreed "
	    "for MX hosts), and undefined values never are.",
	    "RFC 7672 §3.1.3, RFC 6698 §2.1"),
	G("the server sent no certificate", "Nothing proves who the server "
	    "is: anyone could be answering.", "RFC 8446 §4.4.2"),
	G("verification failed", "The certificate failed verification for a "
	    "reason GnuTLS reports in its own words.", "RFC 5280 §6"),
};

/* Warning, error and info codes (x->code) mailscope raises. */
static const struct explain_entry warning[] = {
	G("command-injection", "The server executed a command that "
	    "arrived in plaintext right behind STARTTLS and answered it "
	    "inside TLS: a man in the middle can slip commands in that run "
	    "as if the client sent them under TLS.",
	    "CVE-2011-0411, \"NO STARTTLS\" USENIX Security 2021"),
	G("connect", "The TCP connection failed: refused, unreachable, or "
	    "timed out.  Check host, port and firewall.", "RFC 9293"),
	G("dns", "The names are looked up with libunbound, which checks "
	    "DNSSEC signatures itself from the trust anchor: an answer is "
	    "secure (signed all the way down from the anchor), insecure (not "
	    "signed: anyone on the path could have forged it) or bogus "
	    "(signed, but the signatures fail: forged or broken).",
	    "RFC 4033 §3-5, RFC 4035 §4.3"),
	G("dane-none", "The mail host publishes no TLSA records, so DANE "
	    "cannot authenticate it: the certificate is verified as without "
	    "DANE.  A DNSSEC-secure denial proves there are none; an "
	    "insecure one could have been forged.",
	    "RFC 7672 §2.2, RFC 6698 §4"),
	G("implicit-mx", "The domain has no MX record, so SMTP delivers to "
	    "the domain's own address records, as if it were its own MX with "
	    "preference 0.", "RFC 5321 §5.1"),
	G("insecure", "Certificate verification was switched off "
	    "(--insecure): anyone on the path could pose as the server.",
	    "RFC 7817 §3"),
	G("keylog", "TLS secrets are being written to a key log file: "
	    "whoever reads it can decrypt this session.",
	    "draft-ietf-tls-keylogfile"),
	G("keylog-tshark", "With a capture of the connection (tcpdump -w "
	    "on its port) and the key log, tshark or Wireshark shows what "
	    "was said inside TLS.  -d tells it which protocol a port "
	    "carries when it would not guess from a standard port.",
	    "draft-ietf-tls-keylogfile"),
	G("literal-size", "The server announced an IMAP literal of 4 GiB "
	    "or more.  No real message is that big; the size is a classic "
	    "way to overflow clients that allocate it.",
	    "RFC 9051 §4.3"),
	G("mta-sts", "The domain publishes an MTA-STS policy record "
	    "(_mta-sts TXT, v=STSv1 and an id that changes with the policy): "
	    "a sender then fetches the policy from "
	    "https://mta-sts.DOMAIN/.well-known/mta-sts.txt.",
	    "RFC 8461 §3.1, §3.3"),
	G("mta-sts-none", "No MTA-STS policy record: the domain makes no "
	    "promise of TLS through MTA-STS.", "RFC 8461 §3.1"),
	G("mta-sts-policy", "The policy: its mode (enforce, testing, none), "
	    "how long a sender may cache it (max_age, in seconds, a year at "
	    "most) and the MX host patterns it allows.", "RFC 8461 §3.2"),
	G("mta-sts-record", "The _mta-sts answer is not one well-formed "
	    "v=STSv1 record (none, several, malformed, or no answer): the "
	    "domain then has no policy a sender could use.",
	    "RFC 8461 §3.1"),
	G("mta-sts-testing", "The MTA-STS policy fails for this host, but in "
	    "testing mode: mail is still delivered, and the failure would be "
	    "reported through TLS-RPT.", "RFC 8461 §5, RFC 8460 §3"),
	G("mta-sts-unavailable", "The policy could not be fetched as the "
	    "rules demand (HTTPS with a valid certificate, HTTP 200 only, a "
	    "redirect is a failure, text/plain, 64 KiB at most): without a "
	    "cached policy a sender delivers as without MTA-STS.",
	    "RFC 8461 §3.3, §5"),
	G("tlsrpt", "The domain's TLS-RPT record (_smtp._tls TXT, "
	    "v=TLSRPTv1): where sending servers report the TLS failures they "
	    "meet delivering to it (rua: mailto: or https: addresses); "
	    "exactly one such record counts.", "RFC 8460 §3"),
	G("mx", "A sender tries the MX hosts in order of preference, lowest "
	    "first, and the next one when a host cannot be reached.  Only a "
	    "DNSSEC-secure MX answer proves the list came from the domain; "
	    "an insecure one could have been forged to send mail elsewhere.",
	    "RFC 5321 §5.1, RFC 7672 §2.2"),
	G("mx-next", "This mail host could not be reached: the next MX in "
	    "preference order is tried, as a sending server would.",
	    "RFC 5321 §5.1"),
	G("null-mx", "A null MX (\"0 .\"): the domain says it accepts no "
	    "mail at all; a sender gives up at once, without trying its "
	    "address records.", "RFC 7505 §3-4"),
	G("socks5", "A SOCKS5 proxy makes the connection for mailscope: "
	    "it is offered login methods, may ask for a user and password, "
	    "then is asked to CONNECT to the server by address or by name "
	    "and answers with a reply code.  The server sees the proxy's "
	    "address, not yours.", "RFC 1928 §3-6, RFC 1929 §2"),
	G("proxy-header", "The PROXY protocol header tells a server behind "
	    "a load balancer who the real client is.  A server that expects "
	    "it trusts what it says, so only a trusted balancer may send it; "
	    "one that does not expect it reads it as a bad command.",
	    "HAProxy PROXY protocol v1/v2"),
	G("idn", "A host name in Unicode travels as its A-label (xn--...): "
	    "DNS, the TLS server name and the certificate all use that form.",
	    "RFC 5890 §2.3.2.1, RFC 5891 §4"),
	G("smtputf8", "An address in UTF-8 needs the server to advertise "
	    "SMTPUTF8, and MAIL FROM to carry the SMTPUTF8 parameter; "
	    "otherwise the server may refuse or mangle it.",
	    "RFC 6531 §3.2, §3.4"),
	G("refused", "The server refused this stage of the login or the "
	    "message: its reply above says why.  The exit code names the "
	    "stage (10 AUTH, 11 MAIL, 12 RCPT, 13 DATA).",
	    "RFC 5321 §4.2, RFC 4954 §6"),
	G("sasl-step", "One message of the SASL exchange, decoded where "
	    "that hides nothing.  SCRAM, CRAM-MD5 and DIGEST-MD5 prove the "
	    "password without sending it; PLAIN and LOGIN send it, base64 "
	    "encoded, which only TLS protects; a bearer token is the "
	    "credential itself.",
	    "RFC 4422, RFC 5802, RFC 7628"),
	G("no-starttls", "STARTTLS is not offered, so the session stays "
	    "plaintext.  An attacker may have stripped it (STRIPTLS): "
	    "demand TLS or use the implicit TLS port.",
	    "RFC 3207 §4, RFC 2595 §4, RFC 8314 §3"),
	G("not-connected", "Nothing was sent: there is no live connection "
	    "in a state that accepts commands.", "RFC 5321 §3"),
	G("pipelining-unsupported", "The server does not list PIPELINING "
	    "after EHLO: a client must then wait for each reply before the "
	    "next command.  A group sent anyway may see commands dropped or "
	    "replies lost by a server that reads one line at a time.",
	    "RFC 2920 §3, RFC 3030 §4.2"),
	G("plaintext-alert", "An IMAP [ALERT] arrived before TLS: anyone on "
	    "the path could have written it to trick the user.",
	    "RFC 9051 §7.1"),
	G("plaintext-auth", "Login is offered before TLS, or a credential "
	    "went before it: a password sent now crosses the network "
	    "readable.  Do STARTTLS first; --allow-plaintext-auth consents.",
	    "RFC 4954 §4, RFC 9051 §6.2.3, RFC 2595 §3.2"),
	G("probe", "A finding of :probe: mailscope probe ran on this target "
	    "with connections of its own (STARTTLS, versions, certificate, "
	    "injection, enforcement) and each check is a line, its level "
	    "first (ok, info, warn, bad).", "mailscope(1), probe"),
	G("probe-done", "The end of :probe: how many checks passed and "
	    "warned, and the exit code mailscope probe gives a script for "
	    "this server.", "mailscope(1), EXIT STATUS"),
	G("require-tls", "Not sent: --require-tls stops credentials and "
	    "mail from leaving in plaintext.", "RFC 8314 §3"),
	G("resolve", "The host name could not be resolved to an address.",
	    "RFC 1034"),
	G("response-injection", "Bytes arrived after the STARTTLS go-ahead "
	    "but before the handshake: a man in the middle can plant "
	    "replies there that a buggy client reads as if protected by "
	    "TLS.  They were discarded.",
	    "CVE-2020-14954, \"NO STARTTLS\" USENIX Security 2021"),
	G("save-chain", "The certificate chain as the server sent it, "
	    "written as PEM (--save-chain, :save-chain): certtool or openssl "
	    "read it, and its fingerprints are those the TLS panel shows.",
	    "RFC 7468 §5"),
	G("sslkeylogfile", "SSLKEYLOGFILE is set: TLS secrets may be written "
	    "where others can read them and decrypt the session.",
	    "draft-ietf-tls-keylogfile"),
	G("starttls-after-tls", "STARTTLS is still offered inside TLS; a "
	    "correct server stops offering it once TLS is on.",
	    "RFC 3207 §4.2"),
	G("starttls-stripped", "A capability of STARTTLS's length is made of "
	    "X's: something on the path overwrote the offer so the client "
	    "never sees it.  Never continue in plaintext here.",
	    "RFC 3207 §6, \"NO STARTTLS\" USENIX Security 2021"),
	G("starttls-in-tls", "Not sent: the session is already inside "
	    "TLS.  A go-ahead would start a second handshake on the bare "
	    "connection, in plaintext, beside the first session.",
	    "RFC 3207 §4.2, RFC 2595 §3.1"),
	G("starttls-refused", "The server refused STARTTLS: the session "
	    "stays plaintext.  An attacker may have forged the refusal.",
	    "RFC 3207 §4, \"NO STARTTLS\" USENIX Security 2021"),
	G("capdiff-unknown", "The capabilities inside TLS are compared "
	    "with a full list from before STARTTLS, and only before "
	    "authentication: a greeting's short list, or the list a login "
	    "brings, would show changes STARTTLS never made.",
	    "RFC 3207 §4.2, RFC 9051 §7.1"),
	G("chain-order", "Each certificate of the chain should issue the "
	    "one before it, the server's own first.  This server sent them "
	    "in another order; mailscope and most clients sort them, but "
	    "strict TLS 1.2 clients give up.  Fix the order of the chain "
	    "file on the server.", "RFC 5246 §7.4.2, RFC 8446 §4.4.2"),
	G("terminal-closed", "The terminal went away (its window closed or "
	    "its connection dropped); mailscope says goodbye to the server "
	    "(QUIT, LOGOUT) as it does for Ctrl-D, and the recording ends "
	    "here.", "RFC 5321 §4.1.1.10, RFC 9051 §6.1.3, RFC 1939 §6"),
	G("timeout", "No complete reply came within the time limit: the "
	    "server is slow, stuck, or waits for more input.",
	    "RFC 5321 §4.5.3.2"),
	G("tls-on-plain-port", "The server's first bytes are a TLS "
	    "handshake record: the port speaks TLS from the start, so use "
	    "smtps://, imaps:// or pop3s://.", "RFC 8314 §3.3"),
	G("untagged-before-starttls", "An untagged IMAP response arrived "
	    "between STARTTLS and its reply; it may be injected and is "
	    "ignored.", "RFC 9051 §6.2.1, CVE-2020-14954"),
	G("unverified-auth", "A credential for a server whose certificate "
	    "did not verify: whoever answered, a man in the middle too, "
	    "receives it.  It goes only with --allow-unverified-auth or a "
	    "yes on the screen.", "RFC 8314 §3, RFC 6125"),
	G("usage", "The command was not sent because it is malformed here "
	    "(for example it holds CR or LF).", "RFC 5321 §2.3.8"),
	G("weak-cipher", "A weak cipher: NULL encrypts nothing, RC4 leaks "
	    "through its biased key stream (prohibited), export and single-"
	    "DES keys fall to brute force, 3DES's 64-bit blocks collide in "
	    "long sessions (Sweet32), CBC with HMAC-SHA1 invites padding "
	    "oracles (Lucky13).  Servers should prefer AEAD suites.",
	    "RFC 9325 §4.2, RFC 7525, RFC 7465"),
	G("weak-dh", "The key exchange used a finite-field Diffie-Hellman "
	    "group under 2048 bits.  1024-bit groups are within reach of a "
	    "well-funded attacker, who can then read recorded sessions "
	    "(Logjam); the server should use ECDHE or a 2048-bit group.",
	    "RFC 7919, Logjam (CCS 2015)"),
	G("weak-kx", "The key exchange is weak.  Anonymous Diffie-Hellman "
	    "(ADH, AECDH) authenticates nobody: a man in the middle answers "
	    "with his own key and needs no certificate, so the verdict can "
	    "never be positive.  RSA key exchange has no forward secrecy: "
	    "whoever gets the server's private key later decrypts every "
	    "recorded session.  Export-grade RSA is broken outright (FREAK).",
	    "RFC 9325 §4.1, RFC 7525 §3.1"),
	G("weak-version", "The connection uses TLS 1.0 or 1.1 (or SSL 3.0): "
	    "deprecated, their handshake rests on MD5 and SHA-1 and they "
	    "have no AEAD ciphers.  A server should offer TLS 1.2 and 1.3 "
	    "only.", "RFC 8996, RFC 9325 §3.1.1"),
};

/* Event flags (ev_flag_name). */
static const struct explain_entry flag[] = {
	G("bare-cr", "A CR not followed by LF inside the line; a classic "
	    "ingredient of SMTP smuggling.", "RFC 5321 §2.3.8, "
	    "CVE-2023-51764"),
	G("bare-lf", "The line ended with LF alone, not CRLF; servers that "
	    "accept it are open to SMTP smuggling.", "RFC 5321 §2.3.8, "
	    "CVE-2023-51764"),
	G("body", "Part of a message body.", "RFC 5321 §4.5.2"),
	G("dot-stuffed", "A leading dot was removed: in the body a line "
	    "starting with a dot is sent with an extra one.",
	    "RFC 5321 §4.5.2, RFC 1939 §3"),
	G("end", "The last line of a response.", "RFC 5321 §4.2.1"),
	G("injected", "Bytes after the STARTTLS go-ahead and before TLS: "
	    "response injection.", "CVE-2020-14954"),
	G("late", "A reply to a command that had already timed out.",
	    "RFC 5321 §4.5.3.2"),
	G("literal", "IMAP literal content: counted bytes announced with "
	    "{n}.", "RFC 9051 §4.3"),
	G("lines", "Several plain body lines that arrived together, each "
	    "with its CRLF, kept as one event; a line with anything to "
	    "flag stays on its own.", "RFC 1939 §3"),
	G("malformed", "The line does not parse as the protocol says.",
	    "RFC 5321 §4.2"),
	G("no-eol", "The connection ended before the line did.",
	    "RFC 5321 §2.3.8"),
	G("not-redacted", "A secret shown on request (--no-redact).",
	    "RFC 4954 §4"),
	G("nul", "The line contains NUL bytes, which mail protocols do not "
	    "allow.", "RFC 5321 §4.1.1.4"),
	G("pipelined", "Sent in one write with the commands around it, "
	    "without waiting for replies (or a reply to such a command): "
	    "replies come back in the order of the commands, each marked "
	    "with the command it answers.", "RFC 2920 §3.1"),
	G("redacted", "Credentials were replaced so they never reach a "
	    "view or a file.", "RFC 4954 §4"),
	G("security", "Security relevant: recordings are flushed at once.",
	    "RFC 3207 §6"),
	G("split", "The line was longer than mailscope's limit and "
	    "continues in the next event.", "RFC 5321 §4.5.3.1.6"),
	G("unsolicited", "The server spoke with no command pending.",
	    "RFC 5321 §4.2"),
};

/* Sentences explain_event adds about events as a whole. */
static const struct explain_entry lesson[] = {
	G("auth-continue", "Client answer inside an AUTH exchange: one "
	    "base64 line per challenge, or * to cancel.", "RFC 4954 §4"),
	G("base64-binary", "The challenge decodes to binary SASL data, not "
	    "text (a nonce or a token).", "RFC 4422 §3.1"),
	G("capdiff-added", "The server offers more once TLS is on; that is "
	    "usual.", "RFC 3207 §4.2"),
	G("capdiff-auth-added", "Login appeared only inside TLS: good, the "
	    "server keeps passwords off the plaintext connection.",
	    "RFC 4954 §4, RFC 8314 §3"),
	G("capdiff-imap", "Capabilities are asked again after STARTTLS "
	    "because everything learned in plaintext could have been "
	    "forged by a man in the middle; the client must discard it.",
	    "RFC 9051 §6.2.1, RFC 3501 §6.2.1"),
	G("capdiff-logindisabled-removed", "LOGINDISABLED vanished inside "
	    "TLS: LOGIN is now allowed, with the password protected.",
	    "RFC 9051 §6.2.3"),
	G("capdiff-pop3", "CAPA is asked again after STLS because "
	    "everything learned in plaintext could have been forged by a "
	    "man in the middle; the client must discard it.",
	    "RFC 2595 §4"),
	G("capdiff-removed", "Something the server offered in plaintext "
	    "vanished inside TLS.  If it mattered, the plaintext list may "
	    "have been tampered with.", "RFC 3207 §4.2"),
	G("capdiff-sieve", "The server sends its capabilities again after "
	    "STARTTLS, unasked, because everything learned in plaintext could "
	    "have been forged by a man in the middle; the client must "
	    "discard it.", "RFC 5804 §2.2"),
	G("capdiff-smtp", "EHLO is sent again after STARTTLS because "
	    "everything learned in plaintext could have been forged by a "
	    "man in the middle; the client must discard it.",
	    "RFC 3207 §4.2"),
	G("capdiff-starttls-removed", "STARTTLS vanished inside TLS, as it "
	    "should: TLS is already on.", "RFC 3207 §4.2"),
	G("capdiff-stls-removed", "STLS vanished inside TLS, as it should: "
	    "TLS is already on.", "RFC 2595 §4"),
	G("capdiff-unchanged", "The list is the same as in plaintext.  If it "
	    "offers login, the server also offered it without TLS.",
	    "RFC 3207 §4.2"),
	G("dns-bogus", "DNSSEC validation failed: the answer was signed but "
	    "the signatures do not check out (forged, altered or expired).  "
	    "A validating resolver gives nothing back, and a sender must not "
	    "use it.", "RFC 4033 §5, RFC 4035 §5.5, RFC 7672 §2.1.1"),
	G("dns-insecure", "Not signed: no DNSSEC chain of trust reaches this "
	    "name, so anyone who can answer for it could have forged this "
	    "answer.", "RFC 4033 §5, RFC 4035 §4.3"),
	G("dns-secure", "DNSSEC-secure: every signature from the trust "
	    "anchor down to this answer checked out, so it is the zone's own "
	    "data, unchanged.", "RFC 4033 §5, RFC 4035 §5"),
	G("dns-tlsrpt", "The domain's TLS reporting policy: where sending "
	    "servers report TLS failures they met delivering to it.",
	    "RFC 8460 §3"),
	G("dns-mta-sts", "The domain's MTA-STS record: v=STSv1 and an id "
	    "says a policy is published at https://mta-sts.DOMAIN; exactly "
	    "one such record must be there.", "RFC 8461 §3.1"),
	G("client-injection", "The client's side: a client must drop what "
	    "arrived before the handshake and ask again inside TLS.  Clients "
	    "that read it acted on a forger's replies (mutt CVE-2020-14954, "
	    "curl CVE-2021-22947); mailscope judge grades a client.",
	    "RFC 3207 §4.2, \"NO STARTTLS\" USENIX Security 2021"),
	G("client-plaintext-auth", "The client's side: a careful client "
	    "sends no credential without the TLS it asked for (:auth "
	    "refuses); one sent anyway, typed or by a broken client, is what "
	    "an attacker who stripped STARTTLS waits for.",
	    "RFC 4954 §4, RFC 8314 §5"),
	G("client-refused", "The client's side: a client that requires TLS "
	    "ends the session when STARTTLS is refused; going on in "
	    "plaintext is the downgrade curl had (CVE-2021-22946).  mailscope "
	    "judge grades a client.",
	    "RFC 3207 §6, \"NO STARTTLS\" USENIX Security 2021"),
	G("client-stripped", "The client's side: a client that wants TLS "
	    "stops here and sends nothing; one that carries on in plaintext "
	    "and logs in hands its password to the attacker.  mailscope "
	    "judge grades a client against this and the other attacks.",
	    "RFC 3207 §6, \"NO STARTTLS\" USENIX Security 2021"),
	G("client-unverified", "The client's side: after a failed "
	    "verification a careful client closes, as mailscope does; one "
	    "that goes on talks to whoever answered, a man in the middle "
	    "included.", "RFC 6125 §6, RFC 7817 §3"),
	G("connect-plain", "The connection starts in plaintext: everyone on "
	    "the path can read and change it until STARTTLS succeeds.",
	    "RFC 3207 §1, RFC 8314 §3"),
	G("connect-tls", "Implicit TLS: the TLS handshake comes first, "
	    "nothing crosses the network in plaintext.", "RFC 8314 §3"),
	G("deprecated-version", "This TLS version is deprecated: it lacks "
	    "modern protection and must not be used.", "RFC 8996"),
	G("empty-challenge", "An empty challenge: the client now sends its "
	    "initial response (for PLAIN: user and password).",
	    "RFC 4954 §4"),
	G("imap-literal", "The client announces {n}: n bytes of raw data "
	    "follow after the server's + continuation.", "RFC 9051 §4.3"),
	G("not-verified", "The certificate was NOT verified: the server "
	    "could be an impostor and TLS only protects against passive "
	    "eavesdroppers.", "RFC 7817 §3, RFC 6125 §6"),
	G("starttls-go", "The go-ahead: the next bytes are the TLS handshake. "
	    " Anything the server sends before it is suspect (response "
	    "injection).", "RFC 3207 §4.2, CVE-2020-14954"),
	G("tls-established", "TLS is on: what follows is encrypted and "
	    "protected against changes on the way.", "RFC 8446 §1"),
	G("tls12", "TLS 1.2, not 1.3: the highest version both sides speak "
	    "(mailscope offers 1.3 unless --tls-priority removes it).  Still "
	    "safe with AEAD ciphers and ECDHE, but the certificate travels "
	    "unencrypted in the handshake.", "RFC 8446 §4.2.1, RFC 9325 §3.1.1"),
	G("verified", "The certificate was verified: its chain reaches a "
	    "trusted root and it names the host asked for.",
	    "RFC 5280 §6, RFC 7817 §3"),
};

static const struct {
	const char			*name;
	const struct explain_entry	*v;
	size_t				 n;
} tables[XT_MAX] = {
	[XT_SMTP_CLASS] = { "smtp-class", smtp_class, N(smtp_class) },
	[XT_SMTP_CODE] = { "smtp-code", smtp_code, N(smtp_code) },
	[XT_ESC_CLASS] = { "esc-class", esc_class, N(esc_class) },
	[XT_ESC_SUBJECT] = { "esc-subject", esc_subject, N(esc_subject) },
	[XT_ESC_DETAIL] = { "esc-detail", esc_detail, N(esc_detail) },
	[XT_EHLO] = { "ehlo", ehlo, N(ehlo) },
	[XT_SASL] = { "sasl", sasl, N(sasl) },
	[XT_IMAP_STATUS] = { "imap-status", imap_status, N(imap_status) },
	[XT_IMAP_CODE] = { "imap-code", imap_code, N(imap_code) },
	[XT_IMAP_CAP] = { "imap-cap", imap_cap, N(imap_cap) },
	[XT_IMAP_DATA] = { "imap-data", imap_data, N(imap_data) },
	[XT_POP3_STATUS] = { "pop3-status", pop3_status, N(pop3_status) },
	[XT_POP3_CAPA] = { "pop3-capa", pop3_capa, N(pop3_capa) },
	[XT_POP3_CODE] = { "pop3-code", pop3_code, N(pop3_code) },
	[XT_CMD_SMTP] = { "cmd-smtp", cmd_smtp, N(cmd_smtp) },
	[XT_CMD_IMAP] = { "cmd-imap", cmd_imap, N(cmd_imap) },
	[XT_CMD_POP3] = { "cmd-pop3", cmd_pop3, N(cmd_pop3) },
	[XT_TLS_STEP] = { "tls-step", tls_step, N(tls_step) },
	[XT_TLS_FIELD] = { "tls-field", tls_field, N(tls_field) },
	[XT_TRUST] = { "trust", trust, N(trust) },
	[XT_VERIFY] = { "verify", verify, N(verify) },
	[XT_WARNING] = { "warning", warning, N(warning) },
	[XT_FLAG] = { "flag", flag, N(flag) },
	[XT_LESSON] = { "lesson", lesson, N(lesson) },
	[XT_SIEVE_STATUS] = { "sieve-status", sieve_status, N(sieve_status) },
	[XT_SIEVE_CAP] = { "sieve-cap", sieve_cap, N(sieve_cap) },
	[XT_SIEVE_CODE] = { "sieve-code", sieve_code, N(sieve_code) },
	[XT_CMD_SIEVE] = { "cmd-sieve", cmd_sieve, N(cmd_sieve) },
};

size_t
explain_table(enum explain_table t, const struct explain_entry **v)
{
	if ((unsigned)t >= XT_MAX) {
		*v = NULL;
		return 0;
	}
	*v = tables[t].v;
	return tables[t].n;
}

const char *
explain_table_name(enum explain_table t)
{
	if ((unsigned)t >= XT_MAX)
		return NULL;
	return tables[t].name;
}

/* The STARTTLS lesson, per protocol. */
static const char starttls_smtp[] =
    "STARTTLS (RFC 3207) upgrades a plaintext SMTP connection to TLS.\n"
    "1. The client connects in plaintext (port 25 between servers, 587 "
    "for submission, 2525 unofficially) and sends EHLO.\n"
    "2. The server lists STARTTLS among its extensions.\n"
    "3. The client sends STARTTLS; the server answers 220 and nothing "
    "else.\n"
    "4. The TLS handshake runs on the same connection: ClientHello, "
    "ServerHello, Certificate, Finished.\n"
    "5. The client forgets everything it learned and sends EHLO again, "
    "because the plaintext answer could have been forged "
    "(RFC 3207 §4.2).  AUTH often appears only now.\n"
    "Opportunistic TLS uses STARTTLS when offered and falls back to "
    "plaintext otherwise; enforced TLS (MTA-STS RFC 8461, DANE RFC 7672, "
    "--require-tls) refuses to continue without it.\n"
    "The weakness: steps 1-3 are plaintext, so a man in the middle can "
    "remove the STARTTLS line (stripping), forge a refusal, or inject "
    "replies after the 220 (CVE-2020-14954; \"NO STARTTLS\", USENIX "
    "Security 2021).  Implicit TLS on port 465 starts with the handshake "
    "and has no plaintext phase (RFC 8314).";

static const char starttls_imap[] =
    "STARTTLS (RFC 9051 §6.2.1, RFC 2595) upgrades a plaintext IMAP "
    "connection to TLS.\n"
    "1. The client connects in plaintext to port 143 and reads the "
    "greeting.\n"
    "2. CAPABILITY lists STARTTLS, and LOGINDISABLED when the server "
    "refuses passwords in plaintext.\n"
    "3. The client sends \"tag STARTTLS\"; the server answers \"tag OK\" "
    "and nothing else.\n"
    "4. The TLS handshake runs on the same connection.\n"
    "5. The client discards the old capabilities and asks CAPABILITY "
    "again (RFC 9051 §6.2.1, RFC 2595 §3.1): LOGINDISABLED should vanish "
    "and AUTH= mechanisms may appear.\n"
    "Opportunistic TLS falls back to plaintext when STARTTLS is missing; "
    "enforced TLS refuses.  A PREAUTH greeting in plaintext makes "
    "STARTTLS impossible.\n"
    "The weakness: until the handshake everything is plaintext, so a man "
    "in the middle can strip STARTTLS, forge [ALERT]s, or inject "
    "responses after the OK (CVE-2020-14954; \"NO STARTTLS\", USENIX "
    "Security 2021).  Implicit TLS on port 993 avoids the plaintext "
    "phase (RFC 8314).";

static const char starttls_pop3[] =
    "STLS (RFC 2595 §4) upgrades a plaintext POP3 connection to TLS.\n"
    "1. The client connects in plaintext to port 110 and reads the "
    "+OK greeting.\n"
    "2. CAPA lists STLS (and USER or SASL for logging in).\n"
    "3. The client sends STLS; the server answers +OK and nothing "
    "else.\n"
    "4. The TLS handshake runs on the same connection.\n"
    "5. The client discards what it learned and sends CAPA again "
    "(RFC 2595 §4): only now may USER or SASL be used safely.\n"
    "Opportunistic TLS falls back to plaintext when STLS is missing; "
    "enforced TLS refuses.\n"
    "The weakness: until the handshake everything is plaintext, so a man "
    "in the middle can strip STLS or inject responses after the +OK "
    "(CVE-2020-14954; \"NO STARTTLS\", USENIX Security 2021).  Implicit "
    "TLS on port 995 avoids the plaintext phase (RFC 8314).";

static const char starttls_sieve[] =
    "STARTTLS (RFC 5804 §2.2) upgrades a plaintext ManageSieve "
    "connection to TLS.\n"
    "1. The client connects in plaintext to port 4190; the greeting is "
    "the capability list (\"SIEVE\", \"SASL\", \"STARTTLS\" ...) "
    "ending with OK.\n"
    "2. The client sends STARTTLS; the server answers OK and nothing "
    "else.\n"
    "3. The TLS handshake runs on the same connection.\n"
    "4. The server sends its capabilities again without being asked, "
    "ending with OK; the client discards the plaintext list.  SASL "
    "mechanisms often appear only now.\n"
    "The weakness: until the handshake everything is plaintext, so a man "
    "in the middle can strip STARTTLS or inject responses after the OK "
    "(\"NO STARTTLS\", USENIX Security 2021).  ManageSieve has no "
    "implicit-TLS port.";

static const char starttls_lmtp[] =
    "LMTP (RFC 2033) works like SMTP: LHLO lists STARTTLS, STARTTLS is "
    "answered with 220, the TLS handshake runs on the same connection "
    "and the client sends LHLO again, because the plaintext answer "
    "could have been forged (RFC 3207 §4.2).\n"
    "LMTP is meant for trusted local delivery; over a network the "
    "plaintext start has the same weakness as SMTP: a man in the middle "
    "can strip STARTTLS or inject replies after the 220 "
    "(CVE-2020-14954; \"NO STARTTLS\", USENIX Security 2021).";

const char *
explain_starttls(enum proto_id p)
{
	switch (p) {
	case PROTO_SMTP:
		return starttls_smtp;
	case PROTO_LMTP:
		return starttls_lmtp;
	case PROTO_IMAP:
		return starttls_imap;
	case PROTO_POP3:
		return starttls_pop3;
	case PROTO_SIEVE:
		return starttls_sieve;
	}
	return starttls_smtp;
}
