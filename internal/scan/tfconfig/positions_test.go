package tfconfig

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
)

var positionsMain = filepath.Join("testdata", "positions", "main.tf")

// TestPositions: each attribute path evidence can name resolves to the
// line that sets it (lines of testdata/positions/main.tf).
func TestPositions(t *testing.T) {
	cfg, _ := loadByAddress(t, filepath.Join("testdata", "positions"))
	cases := []struct {
		addr string
		path resource.Path
		line int // 0: no position
	}{
		{"aws_security_group.web", "name", 18},
		{"aws_security_group.web", "ingress", 21},
		{"aws_security_group.web", "ingress[1]", 28},
		{"aws_security_group.web", "ingress[0].cidr_blocks[0]", 25},
		{"aws_security_group.web", "ingress[1].cidr_blocks", 32},
		{"aws_security_group.web", "ingress[1].cidr_blocks[1]", 34},
		{"aws_security_group.web", "ingress[2].cidr_blocks[1]", 42},   // a variable: its attribute
		{"aws_security_group.web", "ingress[1].ipv6_cidr_blocks", 28}, // unset: its block
		{"aws_security_group.web", "egress[0].cidr_blocks", 45},       // dynamic: the dynamic block
		{"aws_security_group.web", "tags.Name", 56},
		{"aws_security_group.web", `tags["kubernetes.io/role"]`, 57},
		{"aws_security_group.web", "tags_all.Name", 56},
		{"aws_security_group.web", "tags_all.Owner", 7}, // from default_tags
		{"aws_security_group_rule.rdp", "cidr_blocks[0]", 67},
		{"aws_iam_policy.admin", "policy.Version", 73},
		{"aws_iam_policy.admin", "policy.Statement[0].Action[1]", 77},
		{"aws_iam_policy.admin", "policy.Statement[0].Resource", 78},
		{"aws_s3_bucket_server_side_encryption_configuration.logs", "rule[0].apply_server_side_encryption_by_default[0].sse_algorithm", 88},
		{"aws_instance.n[0]", "ami", 95},
		{"aws_instance.n[1]", "metadata_options[0].http_tokens", 97},
		{"aws_instance.n[1]", "count", 0},
		{"aws_ebs_volume.scratch", "encrypted", 0}, // the provider's default
		{"aws_ebs_volume.scratch", "", 0},
	}
	for _, c := range cases {
		t.Run(c.addr+" "+string(c.path), func(t *testing.T) {
			p, ok := cfg.Positions[c.addr].Lookup(c.path)
			if c.line == 0 {
				assert.False(t, ok, "%s has a position: %s", c.path, p)
				return
			}
			require.True(t, ok)
			assert.Equal(t, Pos{File: positionsMain, Line: c.line}, p)
		})
	}
}

// TestLocate: a finding points at the first attribute its evidence names
// that has a position, on the subject or a related resource; otherwise at
// the block. Passing results and other sources are left alone.
func TestLocate(t *testing.T) {
	cfg, by := loadByAddress(t, filepath.Join("testdata", "positions"))
	web := by["aws_security_group.web"]
	at := func(line int) string { return Pos{File: positionsMain, Line: line}.String() }
	cases := []struct {
		name   string
		result scan.Result
		want   string
	}{
		{"own attribute", result(web, scan.Fail, scan.Evidence{Path: "ingress[1].cidr_blocks[1]"}), at(34)},
		{"related resource", result(web, scan.Fail, scan.Evidence{Resource: "aws_security_group_rule.rdp", Path: "cidr_blocks[0]"}), at(67)},
		{"first with a position", result(web, scan.Fail, scan.Evidence{Path: "revoke_rules_on_delete"}, scan.Evidence{Path: "tags.Name"}), at(56)},
		{"related resource absent", result(web, scan.Fail, scan.Evidence{Resource: "aws_s3_bucket_policy", Path: "policy"}), at(17)},
		{"muted", result(web, scan.Muted, scan.Evidence{Path: "name"}), at(18)},
		{"passing", result(web, scan.Pass, scan.Evidence{Path: "name"}), at(17)},
		{"no evidence position", result(by["aws_ebs_volume.scratch"], scan.Fail, scan.Evidence{Path: "encrypted"}), at(101)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := []scan.Result{c.result}
			cfg.Locate(rs)
			assert.Equal(t, c.want, rs[0].Origin)
		})
	}

	state := result(web, scan.Fail, scan.Evidence{Path: "name"})
	state.Source, state.Origin = resource.SourceState, "terraform.tfstate"
	other := result(web, scan.Fail, scan.Evidence{Path: "name"})
	other.Origin = "elsewhere/main.tf:17" // the same address in another directory
	rs := []scan.Result{state, other}
	cfg.Locate(rs)
	assert.Equal(t, "terraform.tfstate", rs[0].Origin, "state results keep their origin")
	assert.Equal(t, "elsewhere/main.tf:17", rs[1].Origin, "another configuration's resource is not this one's")
}

// TestLocateAmbiguousRelated: a related resource named by an id two
// resources share names neither.
func TestLocateAmbiguousRelated(t *testing.T) {
	cfg, err := Parse(map[string][]byte{"main.tf": []byte(`
resource "aws_s3_bucket" "a" { bucket = "same" }
resource "aws_s3_bucket" "b" {
  bucket = "same"
}
resource "aws_s3_bucket_acl" "x" {
  bucket = "same"
  acl    = "public-read"
}`)}, nil, nil, Options{})
	require.NoError(t, err)
	sub := cfg.Resources[2]
	rs := []scan.Result{result(sub, scan.Fail, scan.Evidence{Resource: "aws_s3_bucket.same", Path: "bucket"}, scan.Evidence{Path: "acl"})}
	cfg.Locate(rs)
	assert.Equal(t, "main.tf:8", rs[0].Origin)
}

// TestLocatedOutputs: the table, SARIF and JSON print the attribute line.
func TestLocatedOutputs(t *testing.T) {
	cfg, _ := loadByAddress(t, filepath.Join("testdata", "positions"))
	rep := scan.Run(scan.Input{State: cfg.Resources, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	cfg.Locate(rep.Results)

	var table bytes.Buffer
	require.NoError(t, scan.Write(&table, "table", rep, scan.WriteOptions{}))
	assert.Contains(t, table.String(), "aws_security_group.web  "+positionsMain+":34\n")

	var sarif bytes.Buffer
	require.NoError(t, scan.Write(&sarif, "sarif", rep, scan.WriteOptions{}))
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					Physical struct {
						Artifact struct{ URI string } `json:"artifactLocation"`
						Region   struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
					Logical []struct{ FullyQualifiedName string } `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(sarif.Bytes(), &doc))
	lines := map[string]int{}
	for _, r := range doc.Runs[0].Results {
		loc := r.Locations[0]
		assert.Equal(t, positionsMain, loc.Physical.Artifact.URI)
		lines[r.RuleID+" "+loc.Logical[0].FullyQualifiedName] = loc.Physical.Region.StartLine
	}
	assert.Equal(t, map[string]int{
		"DM-AWS-EC2-001 aws_security_group.web": 34,
		"DM-AWS-EC2-002 aws_security_group.web": 67,
		"DM-AWS-EC2-006 aws_ebs_volume.scratch": 101,
		"DM-AWS-EC2-008 aws_instance.n[0]":      97,
		"DM-AWS-EC2-008 aws_instance.n[1]":      97,
		"DM-AWS-IAM-010 aws_iam_policy.admin":   77,
	}, lines)

	var js bytes.Buffer
	require.NoError(t, scan.Write(&js, "json", rep, scan.WriteOptions{}))
	assert.True(t, strings.Contains(js.String(), `"origin": "`+positionsMain+`:77"`))
}

func result(r resource.Resource, st scan.Status, ev ...scan.Evidence) scan.Result {
	return scan.Result{CheckID: "T-1", Status: st, Provider: r.Provider, Type: r.Type, ID: r.ID, Address: r.Address,
		Source: r.Source, Origin: r.Origin, Evidence: ev}
}
