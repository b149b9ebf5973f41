package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/smithy-go"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// The generic tier: Cloud Control API ListResources for every
// CloudFormation type of the typemap table, each resource emitted with its
// Terraform type, id and tags only, so resources no typed lister reads are
// still seen (and reported UNMANAGED when no state holds them).

// Values of Options.GenericTypes with a meaning of their own.
const (
	// GenericNone turns the generic tier off.
	GenericNone = "none"
	// GenericAll lists every table type, typed ones included (the
	// runner keeps the typed tier's richer resource).
	GenericAll = "all"
)

// errUnknownGenericType marks Options.GenericTypes entries the table
// does not know.
var errUnknownGenericType = errors.New("aws: unknown generic type (neither a CloudFormation nor a Terraform type of the Cloud Control table)")

// cloudControlListers returns the generic listers, one for regional types
// and one for global ones, over the types Options.GenericTypes chooses:
// by default every table type no typed lister emits, so no call is spent
// on a type the typed tier reads in full.
func (p *provider) cloudControlListers(typed []discovery.Lister) []discovery.Lister {
	covered := map[string]bool{}
	for _, l := range typed {
		for _, t := range l.Types() {
			covered[t] = true
		}
	}
	types, unknown := genericTypes(p.opts.GenericTypes, covered)
	var regional, global []typemap.AWSType
	for _, t := range types {
		if t.Global {
			global = append(global, t)
		} else {
			regional = append(regional, t)
		}
	}
	var out []discovery.Lister
	if len(regional) > 0 || len(unknown) > 0 {
		out = append(out, &cloudControlLister{p: p, types: regional, unknown: unknown})
	}
	if len(global) > 0 {
		out = append(out, &cloudControlLister{p: p, types: global, global: true})
	}
	return out
}

// CheckGenericTypes reports the names among GenericTypes values that are
// neither GenericAll, GenericNone nor a CloudFormation or Terraform type
// of the Cloud Control table, so a command line can refuse them up front
// rather than skip them at run time.
func CheckGenericTypes(names []string) error {
	_, unknown := genericTypes(names, nil)
	if len(unknown) > 0 {
		return fmt.Errorf("%w: %s", errUnknownGenericType, strings.Join(unknown, ", "))
	}
	return nil
}

// ErrUnknownGenericType is what CheckGenericTypes wraps.
var ErrUnknownGenericType = errUnknownGenericType

// genericTypes resolves Options.GenericTypes against the table.
func genericTypes(names []string, covered map[string]bool) (types []typemap.AWSType, unknown []string) {
	if len(names) == 0 {
		for _, t := range typemap.AWSTypes {
			if !covered[t.Terraform] {
				types = append(types, t)
			}
		}
		return types, nil
	}
	seen := map[string]bool{}
	add := func(t typemap.AWSType) {
		if !seen[t.CloudFormation] {
			seen[t.CloudFormation] = true
			types = append(types, t)
		}
	}
	for _, n := range names {
		switch n {
		case GenericNone:
			continue
		case GenericAll:
			for _, t := range typemap.AWSTypes {
				add(t)
			}
			continue
		}
		t, ok := typemap.AWSByCloudFormation(n)
		if !ok {
			t, ok = typemap.AWSByTerraform(n)
		}
		if !ok {
			unknown = append(unknown, n)
			continue
		}
		add(t)
	}
	return types, unknown
}

// cloudControlLister lists a set of CloudFormation types in one scope.
type cloudControlLister struct {
	p       *provider
	types   []typemap.AWSType
	global  bool
	unknown []string
}

func (l *cloudControlLister) Service() string { return "cloudcontrol" }
func (l *cloudControlLister) Global() bool    { return l.global }

func (l *cloudControlLister) Types() []string {
	out := make([]string, 0, len(l.types))
	for _, t := range l.types {
		out = append(out, t.Terraform)
	}
	return out
}

// Cloud Control's answers for a type it cannot list: not a failure of the
// lister, the type is passed over.
var ccNotListable = set("UnsupportedActionException", "TypeNotFoundException")

// List lists every type in turn. A type Cloud Control cannot list is
// passed over; a type the caller may not list is passed over too, and
// reported (with every other denied type) in the error List returns after
// the rest, so one missing permission hides only its own types. Any other
// error (throttled out after the SDK's retries, network) stops the lister.
func (l *cloudControlLister) List(ctx context.Context, scope discovery.Scope, emit func(resource.Resource)) error {
	cfg, err := l.p.cfg(scope)
	if err != nil {
		return err
	}
	// The standard retry mode, not the adaptive one the typed listers
	// use: after one throttle the adaptive mode paces its client from a
	// floor of 0.5 calls/s upwards, which crawls through a hundred short
	// lists; the runner's Limiter paces the service as a whole. No retry
	// quota either, for the same reason: one lister makes many calls.
	client := cloudcontrol.NewFromConfig(cfg, func(o *cloudcontrol.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = l.p.opts.MaxAttempts
			if l.p.opts.MaxBackoff > 0 {
				so.MaxBackoff = l.p.opts.MaxBackoff
			}
			so.RateLimiter = ratelimit.None
		})
	})
	var denied []error
	for _, t := range l.types {
		err := l.listType(ctx, client, t, scope, emit)
		if err == nil {
			continue
		}
		var ae smithy.APIError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &ae) && ccNotListable[ae.ErrorCode()]:
			slog.Debug("cloud control cannot list type", "type", t.CloudFormation,
				"account", scope.Account, "region", scope.Region, "code", ae.ErrorCode())
		case errors.As(err, &ae) && deniedCodes[ae.ErrorCode()]:
			denied = append(denied, err)
		default:
			return err
		}
	}
	if len(denied) > 0 {
		return errors.Join(denied...)
	}
	if len(l.unknown) > 0 {
		return fmt.Errorf("cloudcontrol: %w: %s", errUnknownGenericType, strings.Join(l.unknown, ", "))
	}
	return nil
}

func (l *cloudControlLister) listType(ctx context.Context, c *cloudcontrol.Client, t typemap.AWSType, scope discovery.Scope, emit func(resource.Resource)) error {
	in := &cloudcontrol.ListResourcesInput{TypeName: &t.CloudFormation, MaxResults: l.p.pageSize()}
	pg := cloudcontrol.NewListResourcesPaginator(c, in)
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("cloud control list %s: %w", t.CloudFormation, err)
		}
		for _, d := range out.ResourceDescriptions {
			props := map[string]any{}
			if s := sv(d.Properties); s != "" {
				// Properties are the type's schema; a malformed one
				// still leaves the identifier.
				_ = json.Unmarshal([]byte(s), &props)
			}
			id := t.TerraformID(sv(d.Identifier), props, scope.Account, scope.Region)
			emit(genericResource(t.Terraform, id, scope, cfnTags(props["Tags"])))
		}
	}
	return nil
}

// genericResource is what the generic tier knows of a resource: its
// type, id and tags.
func genericResource(typ, id string, scope discovery.Scope, tags map[string]string) resource.Resource {
	attrs := map[string]any{"id": id}
	if len(tags) > 0 {
		t := make(map[string]any, len(tags))
		for k, v := range tags {
			t[k] = v
		}
		attrs["tags"] = t
	} else {
		tags = nil
	}
	return resource.Resource{Provider: "aws", Type: typ, ID: id, Account: scope.Account,
		Region: scope.Region, Attrs: attrs, Tags: tags}
}

// cfnTags reads CloudFormation tags in either shape the schemas use: a
// list of {Key, Value} or a JSON object.
func cfnTags(v any) map[string]string {
	out := map[string]string{}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			m, _ := e.(map[string]any)
			k, _ := m["Key"].(string)
			val, _ := m["Value"].(string)
			if k != "" {
				out[k] = val
			}
		}
	case map[string]any:
		for k, e := range t {
			s, _ := e.(string)
			out[k] = s
		}
	}
	return out
}
