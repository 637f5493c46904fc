// Package mail is saasplane's outbox of mail to the SaaSes' users:
// confirmation codes, temporary passwords, invitations. A message is
// stored in the same transaction as the change that causes it, with a
// background job (Deliver) that sends it over SMTP and retries with
// backoff. Without SMTP, messages stay stored and readable (saasplane mail
// list, GET /v1/mail/messages), so a development setup works offline.
//
// Delivery is at least once: a send that succeeded just before a crash is
// sent again. Every copy carries the same Message-ID, by which receiving
// systems drop duplicates.
package mail
