package audit

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// queryLog is 30 entries a minute apart: actors rotate user/key/agent,
// actions rotate over three procedures, every fifth call failed.
func queryLog(t *testing.T) []Entry {
	t.Helper()
	c := NewChain("acme")
	actors := []Actor{{Kind: ActorUser, ID: "u1"}, {Kind: ActorKey, ID: "k1"}, {Kind: ActorAgent, ID: "a1"}}
	actions := []string{"/driftmgr.v1.AgentsService/RevokeAgent", "/driftmgr.v1.AgentsService/ListAgents", "/driftmgr.v1.FindingsService/ListFindings"}
	var out []Entry
	for i := range 30 {
		e := Entry{Time: t0.Add(time.Duration(i) * time.Minute), Actor: actors[i%3], Action: actions[(i/3)%3], Outcome: OutcomeOK}
		if i%5 == 4 {
			e.Outcome = "permission_denied"
			if i%10 == 9 {
				e.Outcome = "resource_exhausted"
			}
		}
		sealed, err := c.Append(e)
		require.NoError(t, err)
		out = append(out, sealed)
	}
	return out
}

func seqs(entries []Entry) []uint64 {
	var s []uint64
	for _, e := range entries {
		s = append(s, e.Seq)
	}
	return s
}

func TestFilterSelects(t *testing.T) {
	log := queryLog(t)
	tests := []struct {
		name string
		q    Query
		want []uint64
	}{
		{"time range, since inclusive, until exclusive", Query{Since: t0.Add(3 * time.Minute), Until: t0.Add(6 * time.Minute)}, []uint64{4, 5, 6}},
		{"actor kind", Query{ActorKind: ActorAgent, Until: t0.Add(12 * time.Minute)}, []uint64{3, 6, 9, 12}},
		{"actor id", Query{ActorID: "u1", Until: t0.Add(7 * time.Minute)}, []uint64{1, 4, 7}},
		{"action prefix", Query{ActionPrefix: "/driftmgr.v1.FindingsService/", Until: t0.Add(12 * time.Minute)}, []uint64{7, 8, 9}},
		{"failures", Query{Outcome: OutcomeFailed}, []uint64{5, 10, 15, 20, 25, 30}},
		{"one code", Query{Outcome: "resource_exhausted"}, []uint64{10, 20, 30}},
		{"successes", Query{Outcome: OutcomeOK, Until: t0.Add(6 * time.Minute)}, []uint64{1, 2, 3, 4, 6}},
		{"combined", Query{ActorKind: ActorKey, Outcome: OutcomeFailed}, []uint64{5, 20}},
		{"newest first", Query{Outcome: OutcomeFailed, Newest: true}, []uint64{30, 25, 20, 15, 10, 5}},
		{"nothing", Query{ActorID: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, next, err := Filter(log, tt.q)
			require.NoError(t, err)
			assert.Equal(t, tt.want, seqs(page))
			assert.Empty(t, next)
			for _, e := range page {
				assert.True(t, tt.q.Match(e))
			}
		})
	}
}

func TestFilterPages(t *testing.T) {
	log := queryLog(t)
	for _, newest := range []bool{false, true} {
		q := Query{Outcome: OutcomeOK, PageSize: 7, Newest: newest}
		all, _, err := Filter(log, Query{Outcome: OutcomeOK, PageSize: MaxPageSize, Newest: newest})
		require.NoError(t, err)
		require.Len(t, all, 24)

		var got []Entry
		pages := 0
		for {
			page, next, err := Filter(log, q)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 7)
			got = append(got, page...)
			pages++
			if next == "" {
				break
			}
			q.PageToken = next
		}
		assert.Equal(t, seqs(all), seqs(got), "paging (newest=%v) returns every match once, in order", newest)
		assert.Equal(t, 4, pages, "24 matches in pages of 7; no empty last page")
	}

	// Exactly one page's worth: no token for an empty next page.
	page, next, err := Filter(log, Query{PageSize: 30})
	require.NoError(t, err)
	assert.Len(t, page, 30)
	assert.Empty(t, next)

	page, _, err = Filter(log, Query{})
	require.NoError(t, err)
	assert.Len(t, page, 30, "default page size covers it")
}

func TestFilterPageTokenAfterNewEntries(t *testing.T) {
	log := queryLog(t)
	page, next, err := Filter(log[:10], Query{PageSize: 5})
	require.NoError(t, err)
	assert.Equal(t, []uint64{1, 2, 3, 4, 5}, seqs(page))
	// More entries arrive between pages: the next page continues where
	// the last ended.
	page, _, err = Filter(log, Query{PageSize: 5, PageToken: next})
	require.NoError(t, err)
	assert.Equal(t, []uint64{6, 7, 8, 9, 10}, seqs(page))
}

func TestFilterRefuses(t *testing.T) {
	log := queryLog(t)
	_, ascToken, err := Filter(log, Query{PageSize: 2})
	require.NoError(t, err)
	tests := []struct {
		name    string
		q       Query
		wantErr string
		bad     bool
	}{
		{"until before since", Query{Since: t0, Until: t0}, "audit: query: until must be after since", false},
		{"unknown actor kind", Query{ActorKind: "root"}, `audit: query: actor_kind "root" is not one of`, false},
		{"page size too big", Query{PageSize: MaxPageSize + 1}, "audit: query: page_size must be between 0 and 1000", false},
		{"negative page size", Query{PageSize: -1}, "audit: query: page_size must be between 0 and 1000", false},
		{"unknown outcome", Query{Outcome: "kaput"}, `audit: query: outcome "kaput" is not ok, failed or a connect code`, false},
		{"token of the other order", Query{Newest: true, PageToken: ascToken}, "audit: invalid page token: it was issued for the other order", true},
		{"not base64", Query{PageToken: "!!"}, "audit: invalid page token: not base64url", true},
		{"someone else's token", Query{PageToken: base64.RawURLEncoding.EncodeToString([]byte("findings:5"))}, "audit: invalid page token: not an audit page token", true},
		{"bad position", Query{PageToken: base64.RawURLEncoding.EncodeToString([]byte("audit1:asc:x"))}, "audit: invalid page token: bad position", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Filter(log, tt.q)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			if tt.bad {
				assert.ErrorIs(t, err, ErrBadPageToken)
			}
		})
	}
	require.NoError(t, Query{Outcome: "permission_denied"}.Validate())
}

// A store that scans its own index pages with Position and NextPageToken
// instead of Filter; the tokens are the same.
func TestPositionAndNextPageToken(t *testing.T) {
	pos, err := Query{}.Position()
	require.NoError(t, err)
	assert.Zero(t, pos, "first page")

	log := queryLog(t)
	_, next, err := Filter(log, Query{PageSize: 4, Newest: true})
	require.NoError(t, err)
	assert.Equal(t, NextPageToken(27, true), next)
	pos, err = Query{PageToken: next, Newest: true}.Position()
	require.NoError(t, err)
	assert.Equal(t, uint64(27), pos)

	_, err = Query{PageToken: next}.Position()
	require.ErrorIs(t, err, ErrBadPageToken, "a newest-first token in oldest-first order")
}
