package audit

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
)

// Page sizes for Filter.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// OutcomeFailed matches every entry whose Outcome is not OutcomeOK.
const OutcomeFailed = "failed"

// ErrBadPageToken is wrapped by Filter's error for a page token it did not
// issue for this query's direction.
var ErrBadPageToken = errors.New("audit: invalid page token")

// Query selects a tenant's entries for its admins. Zero fields match
// everything.
type Query struct {
	// Since and Until bound Time: Since <= Time < Until.
	Since, Until time.Time
	// ActorKind and ActorID select who acted.
	ActorKind ActorKind
	ActorID   string
	// ActionPrefix selects actions by prefix ("/driftmgr.v1.AgentsService/").
	ActionPrefix string
	// Outcome is OutcomeOK, OutcomeFailed or a Connect code
	// ("permission_denied").
	Outcome string
	// Newest lists newest first.
	Newest bool
	// PageSize is at most MaxPageSize; 0 means DefaultPageSize.
	PageSize int
	// PageToken continues from the page that returned it.
	PageToken string
}

// Validate reports the first invalid field by name.
func (q Query) Validate() error {
	switch {
	case !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since):
		return errors.New("audit: query: until must be after since")
	case q.ActorKind != "" && !q.ActorKind.Valid():
		return fmt.Errorf("audit: query: actor_kind %q is not one of user, key, agent, controller, anonymous", q.ActorKind)
	case q.PageSize < 0 || q.PageSize > MaxPageSize:
		return fmt.Errorf("audit: query: page_size must be between 0 and %d", MaxPageSize)
	}
	if q.Outcome != "" && q.Outcome != OutcomeOK && q.Outcome != OutcomeFailed {
		var c connect.Code
		if err := c.UnmarshalText([]byte(q.Outcome)); err != nil {
			return fmt.Errorf("audit: query: outcome %q is not ok, failed or a connect code", q.Outcome)
		}
	}
	return nil
}

// Match reports whether e is selected by q (paging aside), for a store
// that scans its own index.
func (q Query) Match(e Entry) bool {
	switch {
	case !q.Since.IsZero() && e.Time.Before(q.Since):
		return false
	case !q.Until.IsZero() && !e.Time.Before(q.Until):
		return false
	case q.ActorKind != "" && e.Actor.Kind != q.ActorKind:
		return false
	case q.ActorID != "" && e.Actor.ID != q.ActorID:
		return false
	case !strings.HasPrefix(e.Action, q.ActionPrefix):
		return false
	}
	switch q.Outcome {
	case "":
		return true
	case OutcomeFailed:
		return e.Outcome != OutcomeOK
	}
	return e.Outcome == q.Outcome
}

// Filter returns one page of the entries q selects, and the token of the
// next page ("" after the last). entries are one tenant's, in Seq order as
// stored.
func Filter(entries []Entry, q Query) (page []Entry, nextPageToken string, err error) {
	if err := q.Validate(); err != nil {
		return nil, "", err
	}
	size := q.PageSize
	if size == 0 {
		size = DefaultPageSize
	}
	// Where to start: just past the last entry the previous page returned.
	start, step := 0, 1
	if q.Newest {
		start, step = len(entries)-1, -1
	}
	if q.PageToken != "" {
		after, err := parsePageToken(q.PageToken, q.Newest)
		if err != nil {
			return nil, "", err
		}
		i := sort.Search(len(entries), func(i int) bool { return entries[i].Seq > after })
		if q.Newest {
			i = sort.Search(len(entries), func(i int) bool { return entries[i].Seq >= after }) - 1
		}
		start = i
	}
	for i := start; i >= 0 && i < len(entries); i += step {
		e := entries[i]
		if !q.Match(e) {
			continue
		}
		if len(page) == size {
			return page, pageToken(page[len(page)-1].Seq, q.Newest), nil
		}
		page = append(page, e)
	}
	return page, "", nil
}

// A page token is the Seq of the last entry returned and the direction,
// so a token of one direction cannot be replayed in the other.
func pageToken(seq uint64, newest bool) string {
	dir := "asc"
	if newest {
		dir = "desc"
	}
	return base64.RawURLEncoding.EncodeToString([]byte("audit1:" + dir + ":" + strconv.FormatUint(seq, 10)))
}

func parsePageToken(tok string, newest bool) (uint64, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, fmt.Errorf("%w: not base64url", ErrBadPageToken)
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "audit1" {
		return 0, fmt.Errorf("%w: not an audit page token", ErrBadPageToken)
	}
	want := "asc"
	if newest {
		want = "desc"
	}
	if parts[1] != want {
		return 0, fmt.Errorf("%w: it was issued for the other order", ErrBadPageToken)
	}
	seq, err := strconv.ParseUint(parts[2], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: bad position", ErrBadPageToken)
	}
	return seq, nil
}
