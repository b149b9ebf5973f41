// Package runner is the DriftMgr agent at work: it enrolls with a join
// token, keeps its client certificate renewed, holds a control channel to
// the controller cluster (the Control stream, or Checkin long-polls on
// HTTP/1.1-only paths), runs scans on start, on schedule and on command,
// turns their results into deltas in the durable outbox, and uploads the
// outbox in sequence with a few batches in flight.
//
// Files: agent.go (lifecycle), config.go, identity.go and enroll.go (who
// the agent is), renew.go, control.go (stream and long-poll), scan.go and
// delta.go (results as deltas), upload.go (outbox to controller),
// metrics.go (Stats and Prometheus), transport.go (TLS, HTTP, backoff).
//
// Delivery is at least once on the wire and exactly once in the
// controller's state: the controller dedupes by (agent, boot epoch, seq)
// with a gapless high-water mark, and the agent removes a batch from the
// outbox only when the controller says it is committed.
//
// Use:
//
//	a, err := runner.New(runner.Config{Controllers: urls, JoinToken: tok, CAPin: pin,
//		DataDir: dir, Scanner: scanner})
//	...
//	defer a.Close()
//	err = a.Run(ctx) // nil when ctx ends; ErrRevoked, ErrPinMismatch, ... when fatal
package runner
