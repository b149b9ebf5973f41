package backendconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

var (
	fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "terraform"}}}
	// terraformSchema reads only the state location out of a terraform block.
	terraformSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "backend", LabelNames: []string{"type"}},
		{Type: "cloud"},
	}}
)

// discoverTerraform reads the Terraform configuration in dir itself (not its
// subdirectories, which are modules or other roots). found reports whether
// dir holds any Terraform file.
func discoverTerraform(dir string, opts Options) (locs []Location, found bool, err error) {
	files, overrides, err := terraformFiles(dir)
	if err != nil {
		return nil, false, err
	}
	if len(files)+len(overrides) == 0 {
		return nil, false, nil
	}

	parser := hclparse.NewParser()
	var (
		errs []error
		// backend is the effective backend or cloud block; an override file
		// replaces it the way Terraform merges *_override.tf files.
		backend *hcl.Block
	)
	for i, name := range append(files, overrides...) {
		isOverride := i >= len(files)
		blocks, err := stateBlocks(parser, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, b := range blocks {
			if backend != nil && !isOverride {
				errs = append(errs, fmt.Errorf("%s: %w: duplicate backend configuration, first declared at %s",
					pos(b.DefRange), ErrSyntax, pos(backend.DefRange)))
				continue
			}
			backend = b
		}
	}
	if len(errs) > 0 {
		return nil, true, errors.Join(errs...)
	}

	dir = filepath.Clean(dir)
	spec := backendSpec{typ: BackendLocal, dir: dir, attrs: map[string]cty.Value{}}
	if backend != nil {
		spec, err = terraformBackend(backend, dir, opts)
		if err != nil {
			return nil, true, err
		}
	}
	locs, err = spec.locations(opts)
	return locs, true, err
}

// terraformFiles lists the *.tf and *.tf.json files of dir the way Terraform
// loads them: sorted, ignoring editor and hidden files, override files apart.
func terraformFiles(dir string) (files, overrides []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~") {
			continue
		}
		base, ok := strings.CutSuffix(name, ".tf")
		if !ok {
			if base, ok = strings.CutSuffix(name, ".tf.json"); !ok {
				continue
			}
		}
		path := filepath.Join(dir, name)
		if base == "override" || strings.HasSuffix(base, "_override") {
			overrides = append(overrides, path)
		} else {
			files = append(files, path)
		}
	}
	sort.Strings(files)
	sort.Strings(overrides)
	return files, overrides, nil
}

// parseConfigFile parses a native or JSON HCL file, bounded by MaxFileBytes.
func parseConfigFile(parser *hclparse.Parser, name string) (*hcl.File, error) {
	data, err := readFile(name)
	if err != nil {
		return nil, err
	}
	var (
		f     *hcl.File
		diags hcl.Diagnostics
	)
	if strings.HasSuffix(name, ".json") {
		f, diags = parser.ParseJSON(data, name)
	} else {
		f, diags = parser.ParseHCL(data, name)
	}
	if diags.HasErrors() {
		return nil, diagError(ErrSyntax, diags)
	}
	return f, nil
}

// stateBlocks returns the backend and cloud blocks of one file.
func stateBlocks(parser *hclparse.Parser, name string) ([]*hcl.Block, error) {
	f, err := parseConfigFile(parser, name)
	if err != nil {
		return nil, err
	}
	content, _, diags := f.Body.PartialContent(fileSchema)
	if diags.HasErrors() {
		return nil, diagError(ErrSyntax, diags)
	}
	var out []*hcl.Block
	for _, tf := range content.Blocks {
		inner, _, diags := tf.Body.PartialContent(terraformSchema)
		if diags.HasErrors() {
			return nil, diagError(ErrSyntax, diags)
		}
		out = append(out, inner.Blocks...)
	}
	return out, nil
}

// terraformBackend decodes a backend or cloud block and merges the partial
// configuration of opts over it.
func terraformBackend(block *hcl.Block, dir string, opts Options) (backendSpec, error) {
	spec := backendSpec{typ: BackendCloud, dir: dir, file: pos(block.DefRange)}
	if block.Type == "backend" {
		spec.typ = block.Labels[0]
	}
	schema, ok := backendSchemas[spec.typ]
	if !ok {
		return spec, fmt.Errorf("%s: %w: backend type %q (supported: local, s3, gcs, azurerm, http, remote, cloud)",
			spec.file, ErrUnsupported, spec.typ)
	}
	attrs, err := literalAttrs(block.Body, schema, spec.typ)
	if err != nil {
		return spec, err
	}
	spec.attrs = attrs
	if spec.typ == BackendCloud {
		return spec, nil // the cloud block takes no -backend-config
	}

	parser := hclparse.NewParser()
	for _, name := range opts.BackendConfigFiles {
		f, err := parseConfigFile(parser, name)
		if err != nil {
			return spec, fmt.Errorf("backend config file: %w", err)
		}
		partial, err := literalAttrs(f.Body, schema, spec.typ)
		if err != nil {
			return spec, err
		}
		for k, v := range partial {
			spec.attrs[k] = v
		}
	}
	for k, v := range opts.BackendConfigValues {
		spec.attrs[k] = cty.StringVal(v)
	}
	return spec, nil
}

// literalAttrs evaluates the attributes of body that schema names with no
// evaluation context, as Terraform does: backend settings are literals. A
// nested workspaces block becomes an object value.
func literalAttrs(body hcl.Body, schema *hcl.BodySchema, typ string) (map[string]cty.Value, error) {
	content, _, diags := body.PartialContent(schema)
	if diags.HasErrors() {
		return nil, diagError(ErrSyntax, diags)
	}
	out := make(map[string]cty.Value, len(content.Attributes))
	for name, attr := range content.Attributes {
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s: %w: %s attribute %q must be a literal value, Terraform allows no variables or functions there: %s",
				pos(attr.Range), ErrNotLiteral, typ, name, diags[0].Summary)
		}
		out[name] = v
	}
	for _, b := range content.Blocks {
		if b.Type != "workspaces" {
			continue
		}
		ws, err := literalAttrs(b.Body, workspacesSchema, typ)
		if err != nil {
			return nil, err
		}
		out["workspaces"] = cty.ObjectVal(ws)
	}
	return out, nil
}
