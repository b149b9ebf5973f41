package quota

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
)

// InterceptorOption tunes NewInterceptor.
type InterceptorOption func(*interceptor)

// WithUploadProcedures charges the encoded size of every request message
// of these procedures (unary and streamed) to the tenant's upload
// allowance, e.g. driftmgrv1connect.AgentServiceUploadProcedure.
func WithUploadProcedures(procedures ...string) InterceptorOption {
	return func(i *interceptor) {
		for _, p := range procedures {
			i.upload[p] = true
		}
	}
}

// WithoutRequestRate leaves the request rate to a middleware in front of
// the handlers (refusing before a request is decoded is cheaper, which is
// what keeps a tenant hammering its limit from slowing the others); the
// interceptor then enforces streams and upload bytes only.
func WithoutRequestRate() InterceptorOption {
	return func(i *interceptor) { i.noRate = true }
}

// NewInterceptor returns the Connect interceptor enforcing l on the server
// side:
//
//   - every unary call and every stream opened spends one request token;
//   - every streaming call (server, client or bidi) holds one of the
//     tenant's MaxStreams from its start until the handler returns,
//     whether it ends by success, error or cancellation;
//   - request messages of WithUploadProcedures spend upload bytes.
//
// tenantOf names the caller's tenant (from the principal authentication
// put in ctx); a call without one is not limited. exempt, if not nil,
// lets procedures through untouched (health, internal raft traffic).
// Client-side calls pass through, so the same options can be shared by a
// controller's clients.
//
// Refusals are ToConnect errors: CodeResourceExhausted with Retry-After.
// On streams Retry-After is also set as a response header, because the
// Connect streaming protocol carries error metadata in the body.
func NewInterceptor(l *Limiter, tenantOf func(ctx context.Context) string, exempt func(procedure string) bool, opts ...InterceptorOption) connect.Interceptor {
	i := &interceptor{l: l, tenantOf: tenantOf, exempt: exempt, upload: map[string]bool{}}
	for _, o := range opts {
		o(i)
	}
	return i
}

type interceptor struct {
	l        *Limiter
	tenantOf func(context.Context) string
	exempt   func(string) bool
	upload   map[string]bool
	noRate   bool
}

// tenant is who to charge for procedure, "" for nobody.
func (i *interceptor) tenant(ctx context.Context, procedure string) string {
	if i.exempt != nil && i.exempt(procedure) {
		return ""
	}
	return i.tenantOf(ctx)
}

func (i *interceptor) chargeUpload(tenant string, msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil
	}
	return i.l.AllowUpload(tenant, int64(proto.Size(m)))
}

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		procedure := req.Spec().Procedure
		tenant := i.tenant(ctx, procedure)
		if tenant == "" {
			return next(ctx, req)
		}
		if !i.noRate {
			if err := i.l.AllowRequest(tenant); err != nil {
				return nil, ToConnect(err)
			}
		}
		if i.upload[procedure] {
			if err := i.chargeUpload(tenant, req.Any()); err != nil {
				return nil, ToConnect(err)
			}
		}
		return next(ctx, req)
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		procedure := conn.Spec().Procedure
		tenant := i.tenant(ctx, procedure)
		if tenant == "" {
			return next(ctx, conn)
		}
		refuse := func(err error) error {
			ce := ToConnect(err)
			if v := ce.Meta().Get("Retry-After"); v != "" {
				conn.ResponseHeader().Set("Retry-After", v)
			}
			return ce
		}
		if !i.noRate {
			if err := i.l.AllowRequest(tenant); err != nil {
				return refuse(err)
			}
		}
		release, err := i.l.AcquireStream(tenant)
		if err != nil {
			return refuse(err)
		}
		defer release()
		if i.upload[procedure] {
			conn = &uploadConn{StreamingHandlerConn: conn, i: i, tenant: tenant}
		}
		return next(ctx, conn)
	}
}

// uploadConn charges each received message to the upload allowance; a
// refusal ends the stream with the quota error.
type uploadConn struct {
	connect.StreamingHandlerConn
	i      *interceptor
	tenant string
}

func (c *uploadConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	if err := c.i.chargeUpload(c.tenant, msg); err != nil {
		return ToConnect(err)
	}
	return nil
}
