package backendconfig

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

const defaultTFCloudHost = "app.terraform.io"

// backendSpec is one backend after parsing, whichever file format it came
// from. Nested blocks (the remote backend's workspaces) are object values.
type backendSpec struct {
	typ   string
	attrs map[string]cty.Value
	file  string // "path:line" of the declaring block; empty when implicit
	dir   string // relative local paths are resolved against it
}

// backendSchemas lists, per supported backend type, the attributes and
// blocks that locate state. Everything else (credentials, regions, locking)
// is ignored, so only what is read must be a literal.
var backendSchemas = map[string]*hcl.BodySchema{
	BackendS3:      attrSchema("bucket", "key", "workspace_key_prefix"),
	BackendGCS:     attrSchema("bucket", "prefix"),
	BackendAzureRM: attrSchema("storage_account_name", "container_name", "key"),
	BackendHTTP:    attrSchema("address"),
	BackendLocal:   attrSchema("path", "workspace_dir"),
	BackendRemote:  withWorkspacesBlock(attrSchema("hostname", "organization")),
	BackendCloud:   withWorkspacesBlock(attrSchema("hostname", "organization")),
}

// workspacesSchema is the body of a remote or cloud `workspaces {}` block.
var workspacesSchema = attrSchema("name", "prefix", "tags")

func attrSchema(names ...string) *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, n := range names {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: n})
	}
	return s
}

func withWorkspacesBlock(s *hcl.BodySchema) *hcl.BodySchema {
	s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: "workspaces"})
	return s
}

// locations turns a backend into the state locations it implies: the
// default workspace and, with opts.Workspaces, a glob over the others.
func (b backendSpec) locations(opts Options) ([]Location, error) {
	loc := func(url string, workspaces bool) Location {
		return Location{URL: url, Backend: b.typ, Dir: b.dir, File: b.file, Workspaces: workspaces}
	}
	var out []Location
	switch b.typ {
	case BackendLocal:
		p, err := b.optional("path", "terraform.tfstate")
		if err != nil {
			return nil, err
		}
		wsDir, err := b.optional("workspace_dir", "terraform.tfstate.d")
		if err != nil {
			return nil, err
		}
		out = append(out, loc(b.localPath(p), false))
		if opts.Workspaces {
			out = append(out, loc(filepath.Join(b.localPath(wsDir), "*", "terraform.tfstate"), true))
		}

	case BackendS3:
		bucket, key, err := b.required2("bucket", "key")
		if err != nil {
			return nil, err
		}
		prefix, err := b.optional("workspace_key_prefix", "env:")
		if err != nil {
			return nil, err
		}
		out = append(out, loc("s3://"+bucket+"/"+escapeGlob(key), false))
		if opts.Workspaces {
			out = append(out, loc("s3://"+bucket+"/"+path.Join(escapeGlob(prefix), "*", escapeGlob(key)), true))
		}

	case BackendGCS:
		bucket, err := b.required("bucket")
		if err != nil {
			return nil, err
		}
		prefix, err := b.optional("prefix", "")
		if err != nil {
			return nil, err
		}
		// Terraform stores PREFIX/WORKSPACE.tfstate, so one glob covers the
		// default workspace too.
		prefix = escapeGlob(strings.Trim(prefix, "/"))
		if opts.Workspaces {
			out = append(out, loc("gs://"+bucket+"/"+path.Join(prefix, "*.tfstate"), true))
		} else {
			out = append(out, loc("gs://"+bucket+"/"+path.Join(prefix, "default.tfstate"), false))
		}

	case BackendAzureRM:
		account, container, err := b.required2("storage_account_name", "container_name")
		if err != nil {
			return nil, err
		}
		key, err := b.required("key")
		if err != nil {
			return nil, err
		}
		base := "azurerm://" + account + "/" + container + "/" + escapeGlob(key)
		out = append(out, loc(base, false))
		if opts.Workspaces {
			// The azurerm backend names a workspace's blob KEY + "env:" + NAME.
			out = append(out, loc(base+"env:*", true))
		}

	case BackendHTTP:
		address, err := b.required("address")
		if err != nil {
			return nil, err
		}
		out = append(out, loc(address, false)) // the http backend has no workspaces

	case BackendRemote, BackendCloud:
		l, err := b.tfcloud(opts)
		if err != nil {
			return nil, err
		}
		out = append(out, l)

	default:
		return nil, fmt.Errorf("%s: %w: backend type %q (supported: local, s3, gcs, azurerm, http, remote, cloud)",
			b.where(), ErrUnsupported, b.typ)
	}
	return out, nil
}

// tfcloud maps the remote backend and the cloud block. Both name either one
// workspace or a set of them (prefix, tags); a set is always returned as a
// glob because it has no default workspace.
func (b backendSpec) tfcloud(opts Options) (Location, error) {
	host, err := b.optional("hostname", "")
	if err != nil {
		return Location{}, err
	}
	org, err := b.optional("organization", "")
	if err != nil {
		return Location{}, err
	}
	if b.typ == BackendCloud {
		// The cloud block documents these environment defaults.
		if v, ok := opts.getenv("TF_CLOUD_HOSTNAME"); ok && host == "" {
			host = v
		}
		if v, ok := opts.getenv("TF_CLOUD_ORGANIZATION"); ok && org == "" {
			org = v
		}
	}
	if host == "" {
		host = defaultTFCloudHost
	}
	if org == "" {
		return Location{}, fmt.Errorf("%s: %w: %s: organization is not set", b.where(), ErrIncomplete, b.typ)
	}

	ws := workspacesSpec{}
	if v, ok := b.attrs["workspaces"]; ok && !v.IsNull() {
		ws, err = b.workspaces(v)
		if err != nil {
			return Location{}, err
		}
	}
	if b.typ == BackendCloud && ws.name == "" && ws.prefix == "" && ws.tags == nil {
		if v, ok := opts.getenv("TF_WORKSPACE"); ok {
			ws.name = v
		}
	}

	l := Location{Backend: b.typ, Dir: b.dir, File: b.file}
	var name string
	switch {
	case ws.name != "" && (ws.prefix != "" || ws.tags != nil):
		return Location{}, fmt.Errorf("%s: %w: %s: workspaces sets name together with prefix or tags", b.where(), ErrIncomplete, b.typ)
	case ws.name != "":
		name = escapeGlob(ws.name)
	case ws.prefix != "":
		name, l.Workspaces = escapeGlob(ws.prefix)+"*", true
	case ws.tags != nil:
		name, l.Workspaces, l.Tags = "*", true, ws.tags
	default:
		return Location{}, fmt.Errorf("%s: %w: %s: workspaces needs a name, prefix or tags", b.where(), ErrIncomplete, b.typ)
	}
	l.URL = "tfcloud://" + org + "/" + name
	var q []string
	if host != defaultTFCloudHost {
		q = append(q, "host="+host)
	}
	if len(l.Tags) > 0 {
		// statesource selects the workspaces carrying all these tags.
		q = append(q, "tags="+strings.Join(l.Tags, ","))
	}
	if len(q) > 0 {
		l.URL += "?" + strings.Join(q, "&")
	}
	return l, nil
}

type workspacesSpec struct {
	name, prefix string
	tags         []string // non-nil when tags was set, even if empty
}

func (b backendSpec) workspaces(v cty.Value) (workspacesSpec, error) {
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		return workspacesSpec{}, fmt.Errorf("%s: %w: %s: workspaces must be a block or object", b.where(), ErrIncomplete, b.typ)
	}
	inner := backendSpec{typ: b.typ, file: b.file, dir: b.dir, attrs: map[string]cty.Value{}}
	if v.IsKnown() && !v.IsNull() {
		for k, e := range v.AsValueMap() {
			inner.attrs[k] = e
		}
	}
	var ws workspacesSpec
	var err error
	if ws.name, err = inner.optional("name", ""); err != nil {
		return ws, err
	}
	if ws.prefix, err = inner.optional("prefix", ""); err != nil {
		return ws, err
	}
	if t, ok := inner.attrs["tags"]; ok && !t.IsNull() {
		if ws.tags, err = b.tags(t); err != nil {
			return ws, err
		}
	}
	return ws, nil
}

// tags reads a list of tag names or, since Terraform 1.10, a map of
// key-value tags, which become "key:value".
func (b backendSpec) tags(v cty.Value) ([]string, error) {
	bad := fmt.Errorf("%s: %w: %s: workspaces tags must be a list of strings or a map of strings", b.where(), ErrIncomplete, b.typ)
	if !v.IsWhollyKnown() {
		return nil, bad
	}
	tags := []string{}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		for _, e := range v.AsValueSlice() {
			s, err := convert.Convert(e, cty.String)
			if err != nil || s.IsNull() {
				return nil, bad
			}
			tags = append(tags, s.AsString())
		}
	case ty.IsMapType() || ty.IsObjectType():
		for k, e := range v.AsValueMap() {
			s, err := convert.Convert(e, cty.String)
			if err != nil || s.IsNull() {
				return nil, bad
			}
			tags = append(tags, k+":"+s.AsString())
		}
	default:
		return nil, bad
	}
	sort.Strings(tags)
	return tags, nil
}

// optional returns attribute name as a string, or def when it is unset.
func (b backendSpec) optional(name, def string) (string, error) {
	v, ok := b.attrs[name]
	if !ok || v.IsNull() {
		return def, nil
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || !s.IsKnown() || s.IsNull() {
		return "", fmt.Errorf("%s: %w: %s: %s must be a string", b.where(), ErrIncomplete, b.typ, name)
	}
	return s.AsString(), nil
}

// required returns attribute name as a non-empty string.
func (b backendSpec) required(name string) (string, error) {
	s, err := b.optional(name, "")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", fmt.Errorf("%s: %w: %s: %s is not set (pass it with a -backend-config file?)", b.where(), ErrIncomplete, b.typ, name)
	}
	return s, nil
}

func (b backendSpec) required2(a, c string) (string, string, error) {
	x, err := b.required(a)
	if err != nil {
		return "", "", err
	}
	y, err := b.required(c)
	return x, y, err
}

// localPath resolves a local backend path against the configuration directory.
func (b backendSpec) localPath(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(b.dir, p)
}

// where names the configuration for error messages.
func (b backendSpec) where() string {
	if b.file != "" {
		return b.file
	}
	return b.dir
}

// escapeGlob escapes the doublestar metacharacters of a literal key so
// statesource matches it literally.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[]{}\`) {
		return s
	}
	var sb strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]{}\`, r) {
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// pos formats a range as "file:line".
func pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}
