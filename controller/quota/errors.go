package quota

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"connectrpc.com/connect"
)

// ErrExceeded is what every *ExceededError wraps: errors.Is(err,
// quota.ErrExceeded) asks "was this refused by a quota?".
var ErrExceeded = errors.New("quota: exceeded")

// Limit names a kind of quota.
type Limit string

// The limits a tenant can run into.
const (
	LimitRequests    Limit = "requests"     // Limits.RequestsPerSecond
	LimitStreams     Limit = "streams"      // Limits.MaxStreams
	LimitUploadBytes Limit = "upload_bytes" // Limits.UploadBytesPerMinute
	LimitAgents      Limit = "agents"       // Limits.MaxAgents
	LimitResources   Limit = "resources"    // Limits.MaxResources
)

// ExceededError is a refusal: Tenant hit Limit.
type ExceededError struct {
	Tenant string
	Limit  Limit
	// Used is what the tenant has (streams open, agents or resources it
	// would have after the addition, bytes it asked to upload); for the
	// request rate, the calls in the refused burst.
	Used float64
	// Max is the limit: a count, or a rate per second (requests) or per
	// minute (upload bytes).
	Max float64
	// RetryAfter is when a retry can succeed; zero when waiting alone will
	// not help (a cap on agents, streams held open).
	RetryAfter time.Duration
}

func (e *ExceededError) Error() string {
	var msg string
	switch e.Limit {
	case LimitRequests:
		msg = fmt.Sprintf("over its API rate of %s requests/s", num(e.Max))
	case LimitUploadBytes:
		msg = fmt.Sprintf("over its upload rate of %s/min (this upload: %s)", bytesText(e.Max), bytesText(e.Used))
	case LimitStreams:
		msg = fmt.Sprintf("at its limit of %s concurrent streams; close one first", num(e.Max))
	default:
		msg = fmt.Sprintf("over its limit of %s %s (would have %s)", num(e.Max), e.Limit, num(e.Used))
	}
	msg = "tenant " + e.Tenant + ": " + msg
	if e.RetryAfter > 0 {
		msg += "; retry after " + e.RetryAfter.String()
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrExceeded) true.
func (e *ExceededError) Unwrap() error { return ErrExceeded }

// RetryAfterSeconds is the Retry-After header value: whole seconds,
// rounded up so a client that obeys it is not refused again, and "" when
// there is no point retrying soon.
func (e *ExceededError) RetryAfterSeconds() string {
	if e.RetryAfter <= 0 {
		return ""
	}
	s := (e.RetryAfter + time.Second - 1) / time.Second
	return strconv.FormatInt(int64(s), 10)
}

// ToConnect maps err to the Connect error a handler returns: an
// *ExceededError (however wrapped) becomes CodeResourceExhausted (HTTP 429)
// with a Retry-After header; a *connect.Error is returned as is; anything
// else becomes CodeUnknown. Nil maps to nil.
//
// This is the one place quota refusals meet status codes.
func ToConnect(err error) *connect.Error {
	if err == nil {
		return nil
	}
	var qe *ExceededError
	if errors.As(err, &qe) {
		ce := connect.NewError(connect.CodeResourceExhausted, err)
		if v := qe.RetryAfterSeconds(); v != "" {
			ce.Meta().Set("Retry-After", v)
		}
		return ce
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	return connect.NewError(connect.CodeUnknown, err)
}

// httpBody is the JSON of a 429: Connect's error shape ("code",
// "message") so one client parser reads both, plus the details.
type httpBody struct {
	Code              string  `json:"code"`
	Message           string  `json:"message"`
	Tenant            string  `json:"tenant"`
	Limit             Limit   `json:"limit"`
	Used              float64 `json:"used"`
	Max               float64 `json:"max"`
	RetryAfterSeconds int64   `json:"retry_after_seconds,omitempty"`
}

// WriteHTTPError answers a plain HTTP request refused by a quota: 429 Too
// Many Requests, Retry-After, and a JSON body. It reports false, writing
// nothing, when err is not a quota refusal.
func WriteHTTPError(w http.ResponseWriter, err error) bool {
	var qe *ExceededError
	if !errors.As(err, &qe) {
		return false
	}
	body := httpBody{Code: connect.CodeResourceExhausted.String(), Message: err.Error(),
		Tenant: qe.Tenant, Limit: qe.Limit, Used: qe.Used, Max: qe.Max}
	if v := qe.RetryAfterSeconds(); v != "" {
		w.Header().Set("Retry-After", v)
		body.RetryAfterSeconds, _ = strconv.ParseInt(v, 10, 64)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(body)
	return true
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// bytesText shows a byte count in the largest binary unit that keeps it
// readable: 4 MiB, 1.5 KiB, 512 B.
func bytesText(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return strconv.FormatFloat(math.Round(b*10)/10, 'f', -1, 64) + " " + units[i]
}
