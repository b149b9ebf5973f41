package quota

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimitsValidate(t *testing.T) {
	tests := []struct {
		name    string
		limits  Limits
		wantErr string
	}{
		{"zero is unlimited", Limits{}, ""},
		{"all set", Limits{RequestsPerSecond: 50, Burst: 100, MaxStreams: 10, UploadBytesPerMinute: 1 << 20, MaxAgents: 10, MaxResources: 1e5}, ""},
		{"fractional rate", Limits{RequestsPerSecond: 0.5}, ""},
		{"negative rate", Limits{RequestsPerSecond: -1}, "quota: requests_per_second: must not be negative (got -1)"},
		{"NaN rate", Limits{RequestsPerSecond: math.NaN()}, "quota: requests_per_second: must be a finite number"},
		{"infinite rate", Limits{RequestsPerSecond: math.Inf(1)}, "quota: requests_per_second: must be a finite number"},
		{"negative burst", Limits{RequestsPerSecond: 1, Burst: -2}, "quota: burst: must not be negative (got -2)"},
		{"burst without rate", Limits{Burst: 5}, "quota: burst: needs requests_per_second"},
		{"negative streams", Limits{MaxStreams: -1}, "quota: max_streams: must not be negative (got -1)"},
		{"negative upload", Limits{UploadBytesPerMinute: -1}, "quota: upload_bytes_per_minute: must not be negative (got -1)"},
		{"negative agents", Limits{MaxAgents: -3}, "quota: max_agents: must not be negative (got -3)"},
		{"negative resources", Limits{MaxResources: -4}, "quota: max_resources: must not be negative (got -4)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.limits.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestConfigValidateNamesThePath(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"valid", Config{Default: Limits{MaxStreams: 1}, Tenants: map[string]Limits{"acme": {MaxAgents: 5}}}, ""},
		{"bad default", Config{Default: Limits{MaxStreams: -1}}, "quota: default.max_streams: must not be negative"},
		{"bad tenant", Config{Tenants: map[string]Limits{"acme": {}, "globex": {Burst: -1, RequestsPerSecond: 1}}}, "quota: tenants.globex.burst: must not be negative"},
		{"first bad tenant in name order", Config{Tenants: map[string]Limits{"zeta": {MaxAgents: -1}, "beta": {MaxAgents: -1}}}, "quota: tenants.beta.max_agents"},
		{"empty tenant name", Config{Tenants: map[string]Limits{"": {}}}, "quota: tenants: a tenant name is empty"},
		{"negative idle", Config{IdleAfter: -time.Second}, "quota: idle_after: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestNewLimiterPanicsOnInvalidConfig(t *testing.T) {
	assert.PanicsWithError(t, "quota: default.max_streams: must not be negative (got -1)", func() {
		NewLimiter(Config{Default: Limits{MaxStreams: -1}})
	})
}

func TestBurstDefaultsToOneSecondOfRate(t *testing.T) {
	assert.Equal(t, 50.0, Limits{RequestsPerSecond: 50}.burst())
	assert.Equal(t, 3.0, Limits{RequestsPerSecond: 2.5}.burst(), "rounded up")
	assert.Equal(t, 1.0, Limits{RequestsPerSecond: 0.1}.burst(), "at least one")
	assert.Equal(t, 7.0, Limits{RequestsPerSecond: 50, Burst: 7}.burst())
}
