package aws

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// targetRecorder serves awssim and records the X-Amz-Target of every
// JSON protocol call, by SigV4 service.
type targetRecorder struct {
	next http.Handler
	mu   sync.Mutex
	ops  map[string]int
}

func (tr *targetRecorder) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		tr.mu.Lock()
		tr.ops[t]++
		tr.mu.Unlock()
	}
	tr.next.ServeHTTP(rw, r)
}

// TestSecretsNeverReadValues: listing secrets calls only the metadata
// operations; GetSecretValue (or its batch form) is never requested, and
// nothing resembling a value is emitted.
func TestSecretsNeverReadValues(t *testing.T) {
	var rs []resource.Resource
	for i := range 7 {
		for _, f := range jsonFixtures("us-east-1") {
			if f.Type == "aws_secretsmanager_secret" {
				jsonRename(&f, i)
				rs = append(rs, f)
			}
		}
	}
	w := world.New(rs)
	sim(t, w) // the environment; the recorder below serves the same world
	rec := &targetRecorder{next: awssim.NewHandler(w), ops: map[string]int{}}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)

	res := discover(t, Options{Endpoint: srv.URL, Regions: []string{"us-east-1"}, PageSize: 2,
		GenericTypes: []string{GenericNone}})
	require.Empty(t, res.Skipped)
	secrets := 0
	for _, r := range res.Resources {
		if r.Type != "aws_secretsmanager_secret" {
			continue
		}
		secrets++
		for _, k := range []string{"secret_string", "secret_binary", "value"} {
			assert.NotContains(t, r.Attrs, k)
		}
		assert.NotContains(t, r.Attrs, "recovery_window_in_days", "no API reads it back: unknown, not drifted")
	}
	assert.Equal(t, 7, secrets)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, map[string]int{"secretsmanager.ListSecrets": 4, "secretsmanager.DescribeSecret": 7,
		"secretsmanager.GetResourcePolicy": 7}, secretsOps(rec.ops))
	assert.Zero(t, rec.ops["secretsmanager.GetSecretValue"])
	assert.Zero(t, rec.ops["secretsmanager.BatchGetSecretValue"])
}

func secretsOps(ops map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range ops {
		if len(op) > len("secretsmanager.") && op[:len("secretsmanager.")] == "secretsmanager." {
			out[op] = n
		}
	}
	return out
}

// TestSecretsSkipsDeleted: a secret deleted between ListSecrets and
// DescribeSecret is left out, not an error.
func TestSecretsSkipsDeleted(t *testing.T) {
	fixtures := jsonFixtures("us-east-1")
	w := world.New(fixtures)
	sim(t, w)
	var secret resource.Key
	for _, f := range fixtures {
		if f.Type == "aws_secretsmanager_secret" {
			secret = f.Key()
		}
	}
	// Delete the secret as soon as it has been listed.
	next := awssim.NewHandler(w)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "secretsmanager.DescribeSecret" {
			w.Delete(secret)
		}
		next.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	res := discover(t, Options{Endpoint: srv.URL, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
	require.Empty(t, res.Skipped)
	for _, r := range res.Resources {
		assert.NotEqual(t, "aws_secretsmanager_secret", r.Type, fmt.Sprint(r.Key()))
	}
	assert.Len(t, res.Resources, len(fixtures)-1)
}
