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
//     tokens to the SaaS's app (codes.go).
//
// Time and randomness are injected: every function that needs the clock
// takes it, and every function that draws random bytes takes an io.Reader
// (idgen.Source in the server).
package identity
