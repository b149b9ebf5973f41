package ignore

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/driftmgr/driftmgr/internal/drift"
)

// ParseYAML reads the ignore section of a driftmgr.yaml config (see the
// package doc for its shape). Other top-level sections are left to their
// owners. A config without an ignore section gives empty Rules.
func ParseYAML(name string, data []byte) (*Rules, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("read %s: %w: larger than %d bytes", name, ErrTooLarge, MaxFileBytes)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read %s: %w: %v", name, ErrSyntax, err)
	}
	p := yamlParser{file: name}
	if len(doc.Content) == 0 {
		return newRules(nil), nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root, "", "expected a mapping at the top of the config, got %s", kindName(root))
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "ignore" {
			continue
		}
		v := root.Content[i+1]
		switch v.Kind {
		case yaml.MappingNode:
			if err := p.group(v, "ignore"); err != nil {
				return nil, err
			}
		case yaml.SequenceNode:
			for j, g := range v.Content {
				if err := p.group(g, fmt.Sprintf("ignore[%d]", j)); err != nil {
					return nil, err
				}
			}
		case yaml.ScalarNode:
			if v.Tag != "!!null" {
				return nil, p.errf(v, "ignore", "expected a mapping with resources, attributes and kinds, or a list of them, got %s", kindName(v))
			}
		default:
			return nil, p.errf(v, "ignore", "expected a mapping with resources, attributes and kinds, or a list of them, got %s", kindName(v))
		}
	}
	return newRules(p.rules), nil
}

type yamlParser struct {
	file  string
	rules []rule
}

func (p *yamlParser) errf(n *yaml.Node, field, format string, args ...any) error {
	return &SyntaxError{File: p.file, Line: n.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (p *yamlParser) src(n *yaml.Node) string { return p.file + ":" + strconv.Itoa(n.Line) }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

// group reads one {resources, attributes, kinds} mapping.
func (p *yamlParser) group(n *yaml.Node, field string) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n, field, "expected a mapping with resources, attributes and kinds, got %s", kindName(n))
	}
	var resources, attributes, kinds *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "resources":
			resources = v
		case "attributes":
			attributes = v
		case "kinds":
			kinds = v
		default:
			return p.errf(k, field, "unknown key %q, expected resources, attributes or kinds", k.Value)
		}
	}
	mask := maskAll
	if kinds != nil {
		m, err := p.kinds(kinds, field+".kinds")
		if err != nil {
			return err
		}
		mask = m
	}
	if resources != nil {
		items, err := p.strings(resources, field+".resources")
		if err != nil {
			return err
		}
		for i, it := range items {
			ru, err := parseRule(strings.TrimSpace(it.Value))
			if err != nil {
				return p.errf(it, fmt.Sprintf("%s.resources[%d]", field, i), "%v", err)
			}
			ru.kinds, ru.src = mask, p.src(it)
			p.rules = append(p.rules, ru)
		}
	}
	if attributes != nil {
		if mask&maskModified == 0 {
			return p.errf(attributes, field+".attributes", "attribute rules only apply to MODIFIED findings; add MODIFIED to kinds or move them to a group without kinds")
		}
		if attributes.Kind != yaml.SequenceNode {
			return p.errf(attributes, field+".attributes", "expected a list of {resource, paths}, got %s", kindName(attributes))
		}
		for i, a := range attributes.Content {
			if err := p.attribute(a, fmt.Sprintf("%s.attributes[%d]", field, i), mask); err != nil {
				return err
			}
		}
	}
	return nil
}

// attribute reads one {resource, paths} entry.
func (p *yamlParser) attribute(n *yaml.Node, field string, mask kindMask) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n, field, "expected a mapping with resource and paths, got %s", kindName(n))
	}
	var res, paths *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "resource":
			res = v
		case "paths":
			paths = v
		default:
			return p.errf(k, field, "unknown key %q, expected resource or paths", k.Value)
		}
	}
	if res == nil || res.Kind != yaml.ScalarNode || res.Tag == "!!null" {
		return p.errf(n, field+".resource", "expected a resource_type.resource_id pattern")
	}
	rp, err := parsePattern(strings.TrimSpace(res.Value))
	if err == nil && (!rp.hasID || len(rp.path) > 0) {
		err = ruleErr("%s (no attribute path; list those under paths), got %q", expectRule, res.Value)
	}
	if err != nil {
		return p.errf(res, field+".resource", "%v", err)
	}
	if paths == nil {
		return p.errf(n, field+".paths", "expected a list of attribute paths")
	}
	items, err := p.strings(paths, field+".paths")
	if err != nil {
		return err
	}
	for i, it := range items {
		text := strings.TrimSpace(it.Value)
		ru := rule{pattern: rp, kinds: mask, src: p.src(it)}
		if strings.HasPrefix(text, "!") {
			ru.neg, text = true, text[1:]
		}
		path, err := parsePathPattern(text, 0)
		if err != nil {
			return p.errf(it, fmt.Sprintf("%s.paths[%d]", field, i), "%v", err)
		}
		ru.path = path
		p.rules = append(p.rules, ru)
	}
	return nil
}

// strings reads a list of strings; a single string is a list of one.
func (p *yamlParser) strings(n *yaml.Node, field string) ([]*yaml.Node, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		return []*yaml.Node{n}, nil
	case yaml.SequenceNode:
		for i, it := range n.Content {
			if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
				return nil, p.errf(it, fmt.Sprintf("%s[%d]", field, i), "expected a string, got %s", kindName(it))
			}
		}
		return n.Content, nil
	}
	return nil, p.errf(n, field, "expected a list of strings, got %s", kindName(n))
}

// kinds reads a list of drift kinds into a mask.
func (p *yamlParser) kinds(n *yaml.Node, field string) (kindMask, error) {
	items, err := p.strings(n, field)
	if err != nil {
		return 0, err
	}
	var m kindMask
	for i, it := range items {
		var b kindMask
		switch strings.ToUpper(strings.TrimSpace(it.Value)) {
		case string(drift.Missing), "DELETED":
			b = maskMissing
		case string(drift.Unmanaged):
			b = maskUnmanaged
		case string(drift.Modified), "CHANGED", "DRIFTED":
			b = maskModified
		default:
			return 0, p.errf(it, fmt.Sprintf("%s[%d]", field, i), "expected MISSING, UNMANAGED or MODIFIED, got %q", it.Value)
		}
		m |= b
	}
	if m == 0 {
		return 0, p.errf(n, field, "expected at least one of MISSING, UNMANAGED or MODIFIED (leave kinds out to match every kind)")
	}
	return m, nil
}
