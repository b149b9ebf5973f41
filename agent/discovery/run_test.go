package discovery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

var (
	errDenied = errors.New("AccessDenied: not authorized")
	//lint:ignore ST1005 the text is an AWS error code
	errThrottle = errors.New("Throttling: rate exceeded")
)

type fakeLister struct {
	service string
	global  bool
	// items per "account/region" scope key
	items map[string][]string
	fail  map[string]error
	mu    sync.Mutex
	calls []Scope
}

func (f *fakeLister) Service() string { return f.service }
func (f *fakeLister) Types() []string { return []string{"fake_" + f.service} }
func (f *fakeLister) Global() bool    { return f.global }
func (f *fakeLister) List(ctx context.Context, s Scope, emit func(resource.Resource)) error {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
	k := s.Account + "/" + s.Region
	for _, id := range f.items[k] {
		emit(resource.Resource{Provider: "fake", Type: "fake_" + f.service, ID: id, Attrs: map[string]any{}})
	}
	return f.fail[k]
}

type fakeProvider struct {
	scopes  []Scope
	listers []Lister
	err     error
}

func (p *fakeProvider) Name() string { return "fake" }
func (p *fakeProvider) Scopes(context.Context) ([]Scope, error) {
	return p.scopes, p.err
}
func (p *fakeProvider) Listers() []Lister { return p.listers }
func (p *fakeProvider) Classify(err error) SkipReason {
	switch {
	case errors.Is(err, errDenied):
		return AccessDenied
	case errors.Is(err, errThrottle):
		return Throttled
	}
	return Failed
}

func scopes(accounts, regions []string) []Scope {
	var out []Scope
	for _, a := range accounts {
		for _, r := range regions {
			out = append(out, Scope{Provider: "fake", Account: a, Region: r})
		}
	}
	return out
}

func TestRunFansOutAndReportsSkips(t *testing.T) {
	ec2 := &fakeLister{service: "ec2", items: map[string][]string{
		"a1/r1": {"i-1", "i-2"}, "a1/r2": {"i-3"}, "a2/r1": {"i-4"}, "a2/r2": {"i-5"},
	}, fail: map[string]error{"a2/r2": fmt.Errorf("list: %w", errThrottle)}}
	iam := &fakeLister{service: "iam", global: true, items: map[string][]string{
		"a1/": {"alice"}, "a2/": {"bob"},
	}, fail: map[string]error{"a2/": errDenied}}
	p := &fakeProvider{scopes: scopes([]string{"a1", "a2"}, []string{"r1", "r2"}), listers: []Lister{ec2, iam}}

	var progress []Progress
	res, err := Run(context.Background(), []Provider{p}, Options{Concurrency: 3, Progress: func(pr Progress) { progress = append(progress, pr) }})
	require.NoError(t, err)
	assert.Len(t, ec2.calls, 4, "regional: every account x region")
	assert.Len(t, iam.calls, 2, "global: once per account")
	for _, c := range iam.calls {
		assert.Empty(t, c.Region)
	}
	var ids []string
	for _, r := range res.Resources {
		ids = append(ids, r.ID)
		assert.Equal(t, resource.SourceLive, r.Source)
		assert.NotEmpty(t, r.Account)
		if r.Type == "fake_ec2" {
			assert.NotEmpty(t, r.Region)
		} else {
			assert.Empty(t, r.Region)
		}
	}
	assert.Equal(t, []string{"i-1", "i-2", "i-3", "i-4", "i-5", "alice", "bob"}, ids,
		"partial results of a failed lister are kept; sorted by type then id")
	require.Len(t, res.Skipped, 2)
	assert.Equal(t, Skip{Scope: Scope{Provider: "fake", Account: "a2"}, Service: "iam", Reason: AccessDenied, Detail: errDenied.Error()}, res.Skipped[0])
	assert.Equal(t, Throttled, res.Skipped[1].Reason)
	assert.Equal(t, "r2", res.Skipped[1].Region)
	require.Len(t, progress, 6)
	assert.Equal(t, 6, progress[5].Done)
	assert.Equal(t, 6, progress[5].Total)
	assert.Equal(t, 2, progress[5].Skipped)
	perScope := map[Scope]int{}
	for _, pr := range progress {
		assert.LessOrEqual(t, pr.ScopeDone, pr.ScopeTotal)
		perScope[pr.Scope] = pr.ScopeTotal
	}
	assert.Equal(t, 1, perScope[Scope{Provider: "fake", Account: "a1", Region: "r1"}], "one regional lister per region")
	assert.Equal(t, 1, perScope[Scope{Provider: "fake", Account: "a1"}], "one global lister per account")
}

func TestRunDeduplicatesAndStampsOrigin(t *testing.T) {
	l := &fakeLister{service: "s3", global: true, items: map[string][]string{"a1/": {"b", "b"}}}
	p := &fakeProvider{scopes: scopes([]string{"a1"}, []string{"r1", "r2"}), listers: []Lister{l}}
	res, err := Run(context.Background(), []Provider{p}, Options{})
	require.NoError(t, err)
	require.Len(t, res.Resources, 1)
	assert.Equal(t, "fake://a1", res.Resources[0].Origin)
}

func TestRunProviderErrors(t *testing.T) {
	_, err := Run(context.Background(), []Provider{&fakeProvider{err: errDenied}}, Options{})
	assert.ErrorIs(t, err, errDenied)
	_, err = Run(context.Background(), []Provider{&fakeProvider{}}, Options{})
	assert.ErrorIs(t, err, ErrNoScopes)
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := &fakeLister{service: "x", fail: map[string]error{"a/r": context.Canceled}}
	_, err := Run(ctx, []Provider{&fakeProvider{scopes: scopes([]string{"a"}, []string{"r"}), listers: []Lister{l}}}, Options{})
	assert.Error(t, err)
}

// staticLister emits fixed resources.
type staticLister struct {
	service string
	out     []resource.Resource
}

func (s *staticLister) Service() string { return s.service }
func (s *staticLister) Types() []string { return []string{"fake_thing"} }
func (s *staticLister) Global() bool    { return false }
func (s *staticLister) List(_ context.Context, _ Scope, emit func(resource.Resource)) error {
	for _, r := range s.out {
		emit(r)
	}
	return nil
}

// TestRunKeepsRicherDuplicate: the typed and the generic tier both emit a
// resource; whichever lister runs first, the one with more attributes is
// kept, and a tie is broken the same way every time.
func TestRunKeepsRicherDuplicate(t *testing.T) {
	thing := func(attrs map[string]any, tags map[string]string) resource.Resource {
		return resource.Resource{Provider: "fake", Type: "fake_thing", ID: "t1", Attrs: attrs, Tags: tags}
	}
	typed := &staticLister{service: "typed", out: []resource.Resource{thing(map[string]any{"id": "t1", "size": 3.0, "tags": map[string]any{}}, nil)}}
	generic := &staticLister{service: "generic", out: []resource.Resource{thing(map[string]any{"id": "t1"}, nil)}}
	tieA := &staticLister{service: "a", out: []resource.Resource{thing(map[string]any{"id": "t1", "x": "a"}, nil)}}
	tieB := &staticLister{service: "b", out: []resource.Resource{thing(map[string]any{"id": "t1", "x": "b"}, nil)}}
	tagged := &staticLister{service: "tagged", out: []resource.Resource{thing(map[string]any{"id": "t1", "x": "z"}, map[string]string{"k": "v"})}}
	for _, tc := range []struct {
		name    string
		listers []Lister
		want    map[string]any
	}{
		{"typed first", []Lister{typed, generic}, typed.out[0].Attrs},
		{"generic first", []Lister{generic, typed}, typed.out[0].Attrs},
		{"tie a first", []Lister{tieA, tieB}, tieA.out[0].Attrs},
		{"tie b first", []Lister{tieB, tieA}, tieA.out[0].Attrs},
		{"more tags", []Lister{tieA, tagged}, tagged.out[0].Attrs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &fakeProvider{scopes: scopes([]string{"a1"}, []string{"r1"}), listers: tc.listers}
			res, err := Run(context.Background(), []Provider{p}, Options{Concurrency: 1})
			require.NoError(t, err)
			require.Len(t, res.Resources, 1)
			assert.Equal(t, tc.want, res.Resources[0].Attrs)
		})
	}
	same := thing(map[string]any{"id": "t1"}, nil)
	other := same
	other.Origin = "z"
	assert.True(t, richer(same, other))
	assert.False(t, richer(other, same))
}
