// Package identity is the user pool of each SaaS: how its users prove who
// they are, and what saasplane hands them in return.
//
// It holds the rules that do not depend on storage or transport:
//   - passwords, hashed with argon2id and kept as PHC strings
//     (password.go);
//   - the signed tokens a SaaS's app receives (ID and access tokens: RS256
//     JWTs) and how they are checked (tokens.go);
//   - the per-SaaS signing keys, their rotation and their JWKS (keys.go);
//   - opaque secrets (refresh tokens, temporary codes), stored hashed
//     (secrets.go);
//   - the lifetimes of all of these (lifetimes.go);
//   - the Service, which keeps each SaaS's keys (made on first use,
//     rotated on Rotation's schedule, shared by every node through the
//     Store) and signs and verifies tokens with them (service.go);
//   - the SaaS's envs and roles (envs.go), its users and the password
//     policy (users.go, policy.go), sign-in sessions, refresh and the user
//     a token speaks for (sessions.go), and the temporary codes that hand
//     tokens to the SaaS's app (codes.go);
//   - sign-in itself: checking a login and the lockout after failures
//     (signin.go), the same through the API by SRP, with the verifiers
//     stored beside each password (srpsignin.go, on internal/srp's
//     arithmetic), signing oneself up and resetting a forgotten password
//     on the hosted pages (selfservice.go), the second factor (mfa.go), changes of a user's email
//     or sign-in id (logins.go), and the tokens each node has already
//     verified (verified.go);
//   - what userinfo tells the SaaS's app (userinfo.go);
//   - the tenants' members, their roles per env, and the attributes of
//     users (members.go, attributes.go), and invitations to a tenant
//     (invitations.go);
//   - the settings of the user pool: auth-info and basic-info (settings.go),
//     sign-in settings (signinsettings.go), the hosted pages' look
//     (pagesettings.go), and the templates of the mail its users receive
//     (notifications.go), written to the outbox by mails.go.
//
// Time and randomness are injected: every function that needs the clock
// takes it, and every function that draws random bytes takes an io.Reader
// (idgen.Source in the server).
package identity
