// Package events owns saasplane's outbound events: every successful
// non-GET call of a SaaS that has a delivery target becomes an event with
// the SaaSus envelope (event_type, trace_id, the request and the
// response, the time), delivered to each of the SaaS's webhook endpoints
// in order, signed with HMAC-SHA256, retried with exponential backoff
// for at least a day, then kept as a dead letter that can be sent again.
//
// The outbox is transactional: the request's first write transaction
// opens its event in the same transaction (the store reads the Pending
// the HTTP layer put in the context), so a committed write always has its
// event; Complete fills in the response and queues the deliveries once
// the response is known, and Sweep completes the events of requests that
// a crash interrupted. Each endpoint's queue is worked by one background
// job at a time (DeliverEndpoint), so events reach an endpoint in the
// order of their seq, which follows commit order.
package events
