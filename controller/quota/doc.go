// Package quota enforces per-tenant quotas and rate limits: API requests
// per second (a token bucket), concurrent long-lived streams, upload bytes
// per minute (a byte bucket), and caps on a tenant's agents and resources.
//
// A tenant over a limit is refused at once with an *ExceededError that says
// which limit, by how much and when to retry; nothing waits, so a noisy
// tenant costs the others one map lookup and one uncontended lock per
// refused call, never a queue slot. The error maps to
// connect.CodeResourceExhausted (HTTP 429) with a Retry-After header in
// exactly one place, ToConnect, and to a JSON 429 for plain HTTP routes in
// WriteHTTPError.
//
// Wiring, in order of use:
//
//	lim := quota.NewLimiter(quota.Config{Default: quota.Limits{RequestsPerSecond: 50, MaxStreams: 20}})
//	go lim.Run(ctx) // evicts idle tenants; stops with ctx
//	opts := connect.WithInterceptors(authorizer{}, quota.NewInterceptor(lim, tenantOf, exempt), ...)
//
// The interceptor belongs after authentication (it needs the caller's
// tenant) and before anything expensive. Calls without a tenant
// (anonymous enrollment, controller-to-controller) are not limited here.
//
// Agent and resource caps depend on counts held in the replicated state,
// so the limiter does not count them itself: the raft command that adds an
// agent or findings calls CheckCount with the current count.
package quota
