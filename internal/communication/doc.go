// Package communication is the domain of the SaaSus Communication API:
// the feedback that the users of a SaaS give about it, the comments on each
// feedback, and the users' votes for it.
//
// A feedback is written by one user of the SaaS (an identity user), has a
// title, a description and a status (StatusNew until the SaaS changes it),
// and carries its comments (oldest first) and the users who voted for it
// (in vote order). A user votes for a feedback at most once: voting again
// changes nothing. Deleting a feedback deletes its comments and votes;
// deleting a user (internal/identity) deletes that user's votes, while the
// feedback the user wrote stays, with its author's id.
//
// Every method takes the id of the SaaS the caller authenticated as, and a
// SaaS sees only its own feedback: another SaaS's ids are not found. Times
// come from the injected clock, ids from the injected generator.
package communication
