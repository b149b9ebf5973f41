package quota

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
)

// Limits are one tenant's quotas. A zero field means unlimited, so the
// zero Limits limits nothing.
type Limits struct {
	// RequestsPerSecond is the sustained API call rate (token bucket refill).
	RequestsPerSecond float64 `yaml:"requests_per_second" json:"requests_per_second,omitempty"`
	// Burst is how many calls may arrive at once after a quiet spell (the
	// bucket size). Zero means one second's worth of RequestsPerSecond,
	// at least 1.
	Burst int `yaml:"burst" json:"burst,omitempty"`
	// MaxStreams caps concurrent long-lived streams (agent control
	// channels, event watches).
	MaxStreams int `yaml:"max_streams" json:"max_streams,omitempty"`
	// UploadBytesPerMinute is the sustained upload rate. A whole minute's
	// allowance may be spent at once; a single upload larger than that is
	// let through only when the allowance is full, and the tenant then
	// waits until it has earned the excess back, so an oversized batch is
	// slowed rather than refused forever.
	UploadBytesPerMinute int64 `yaml:"upload_bytes_per_minute" json:"upload_bytes_per_minute,omitempty"`
	// MaxAgents caps enrolled agents.
	MaxAgents int64 `yaml:"max_agents" json:"max_agents,omitempty"`
	// MaxResources caps stored findings (tracked resources).
	MaxResources int64 `yaml:"max_resources" json:"max_resources,omitempty"`
}

// Validate reports the first invalid field by its configuration name.
func (l Limits) Validate() error {
	switch {
	case math.IsNaN(l.RequestsPerSecond) || math.IsInf(l.RequestsPerSecond, 0):
		return fieldErr("requests_per_second", "must be a finite number")
	case l.RequestsPerSecond < 0:
		return fieldErr("requests_per_second", fmt.Sprintf("must not be negative (got %g)", l.RequestsPerSecond))
	case l.Burst < 0:
		return fieldErr("burst", fmt.Sprintf("must not be negative (got %d)", l.Burst))
	case l.Burst > 0 && l.RequestsPerSecond == 0:
		return fieldErr("burst", "needs requests_per_second; a burst without a rate limits nothing")
	case l.MaxStreams < 0:
		return fieldErr("max_streams", fmt.Sprintf("must not be negative (got %d)", l.MaxStreams))
	case l.UploadBytesPerMinute < 0:
		return fieldErr("upload_bytes_per_minute", fmt.Sprintf("must not be negative (got %d)", l.UploadBytesPerMinute))
	case l.MaxAgents < 0:
		return fieldErr("max_agents", fmt.Sprintf("must not be negative (got %d)", l.MaxAgents))
	case l.MaxResources < 0:
		return fieldErr("max_resources", fmt.Sprintf("must not be negative (got %d)", l.MaxResources))
	}
	return nil
}

// burst is the request bucket size Burst stands for.
func (l Limits) burst() float64 {
	if l.Burst > 0 {
		return float64(l.Burst)
	}
	return math.Max(1, math.Ceil(l.RequestsPerSecond))
}

// fieldError is a validation failure; Field is the path of the offending
// setting ("default.max_streams", "tenants.acme.burst").
type fieldError struct {
	Field, Problem string
}

func (e *fieldError) Error() string { return "quota: " + e.Field + ": " + e.Problem }

func fieldErr(field, problem string) error { return &fieldError{Field: field, Problem: problem} }

func prefixField(prefix string, err error) error {
	if fe, ok := err.(*fieldError); ok {
		return &fieldError{Field: prefix + "." + fe.Field, Problem: fe.Problem}
	}
	return err
}

// DefaultIdleAfter is how long a tenant must be idle before its buckets
// are forgotten, when Config.IdleAfter is zero.
const DefaultIdleAfter = 10 * time.Minute

// Config is a Limiter's settings.
type Config struct {
	// Default applies to every tenant without an entry in Tenants.
	Default Limits `yaml:"default"`
	// Tenants overrides the default for some tenants. An entry replaces
	// the default entirely (a zero field there means unlimited, not
	// "inherit"): copy the default and change what differs.
	Tenants map[string]Limits `yaml:"tenants"`
	// IdleAfter is how long a tenant goes without a call before its state
	// is evicted (see Limiter.Sweep); DefaultIdleAfter if zero.
	IdleAfter time.Duration `yaml:"idle_after"`
	// Now is the clock; time.Now if nil. Tests inject a manual one.
	Now func() time.Time `yaml:"-"`
}

// Validate reports the first invalid setting by its path.
func (c Config) Validate() error {
	if err := c.Default.Validate(); err != nil {
		return prefixField("default", err)
	}
	// Sorted, so the error names the same tenant every time.
	for _, t := range slices.Sorted(maps.Keys(c.Tenants)) {
		l := c.Tenants[t]
		if t == "" {
			return fieldErr("tenants", "a tenant name is empty")
		}
		if err := l.Validate(); err != nil {
			return prefixField("tenants."+t, err)
		}
	}
	if c.IdleAfter < 0 {
		return fieldErr("idle_after", fmt.Sprintf("must not be negative (got %s)", c.IdleAfter))
	}
	return nil
}
