package controller

import (
	"context"

	"connectrpc.com/connect"
)

// BearerKey is the client option that sends an API key
// (Authorization: Bearer dm_...) on every call, unary and streaming alike.
func BearerKey(key string) connect.ClientOption {
	return connect.WithInterceptors(bearer(key))
}

type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(b))
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		return conn
	}
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// InTenant is the client option a platform owner uses to act in another
// tenant: it sends the Driftmgr-Tenant header on every call.
func InTenant(tenant string) connect.ClientOption {
	return connect.WithInterceptors(tenantHeader(tenant))
}

type tenantHeader string

func (h tenantHeader) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set(TenantHeader, string(h))
		return next(ctx, req)
	}
}

func (h tenantHeader) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set(TenantHeader, string(h))
		return conn
	}
}

func (h tenantHeader) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
