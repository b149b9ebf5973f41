package quota

import "net/http"

// Middleware applies the request rate to plain HTTP routes (the console's
// REST helpers, exports): each request of a tenant spends one token, and a
// refused one gets WriteHTTPError's 429. tenantOf names the tenant of a
// request, "" for none (not limited).
//
// Do not put it in front of Connect handlers that already have
// NewInterceptor: each call would be charged twice.
func Middleware(l *Limiter, tenantOf func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tenant := tenantOf(r); tenant != "" {
				if err := l.AllowRequest(tenant); err != nil {
					WriteHTTPError(w, err)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
