// Package audit is the model and logic of the per-tenant audit log: who
// (user, API key, agent) did what (RPC and redacted arguments), when, from
// where, and the outcome.
//
// Each tenant's log is a hash chain: an entry's Hash is the SHA-256 of its
// canonical encoding, which includes the previous entry's hash, so
// altering, deleting, reordering or splicing in an entry breaks the chain
// at that point, and Verify names where. The chain proves integrity
// relative to its newest hash: whoever can rewrite every later entry can
// rewrite history, so the head hash (Chain.Head) is what to publish,
// replicate and compare.
//
// The pieces, in the order a call meets them:
//
//   - RedactMessage renders a request as JSON with secrets removed, and
//     OutcomeOf turns the handler's error into Outcome and Error;
//   - Chain.Append gives the entry its Seq, PrevHash and Hash. It is
//     deterministic (no clock, no randomness), so a raft FSM can apply it
//     on every node and get identical chains; the proposer sets Time;
//   - Query/Filter page through a tenant's entries for its admins;
//   - WriteJSONL/ReadJSONL export and import, and Verify checks the result.
package audit
