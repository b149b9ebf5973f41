package controller

import "context"

// FlushKeyUse writes a node's pending API key uses now, as its flush
// loop does every KeyUseFlushInterval.
func FlushKeyUse(ctx context.Context, s *Server) error { return s.flushKeyUse(ctx) }
