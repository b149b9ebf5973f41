package ignore

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func mustParse(t testing.TB, text string) *Rules {
	t.Helper()
	rs, err := ParseDriftignore(".driftignore", strings.NewReader(text))
	require.NoError(t, err)
	return rs
}

func res(typ, id string) *resource.Resource {
	return &resource.Resource{Provider: resource.ProviderFromType(typ), Type: typ, ID: id}
}

func TestIgnoreResource(t *testing.T) {
	type check struct {
		typ, id string
		want    bool
	}
	tests := []struct {
		name   string
		rules  string
		checks []check
	}{
		{"empty file", "", []check{{"aws_s3_bucket", "b", false}}},
		{"only comments and blanks", "# comment\n\n   \n\t# indented comment\n", []check{{"aws_s3_bucket", "b", false}}},
		{
			"driftctl docs examples",
			"# Will ignore S3 bucket called my-bucket\naws_s3_bucket.my-bucket\n# Will ignore every aws_instance resource\naws_instance.*\n*role.*Amazon*\n",
			[]check{
				{"aws_s3_bucket", "my-bucket", true},
				{"aws_s3_bucket", "my-bucket2", false},
				{"aws_instance", "i-123", true},
				{"aws_iam_role", "AmazonSSMRoleForInstances", true},
				{"aws_iam_role", "AWSServiceRoleForAmazonSSM", true},
				{"aws_iam_role", "MyRole", false},
				{"aws_iam_user", "Amazon", false},
			},
		},
		{
			"ignore everything but IAM (docs)",
			"*\n!aws_iam_*\n",
			[]check{
				{"aws_s3_bucket", "b", true},
				{"aws_iam_user", "u", false},
				{"aws_iam_role", "r", false},
			},
		},
		{
			"driftctl wildcard testdata",
			"*2**.**d1*\ntype3.id1***0\n*.id\\\\WithBa*slas*\\\\**\\\\\n\n# this is *** comment\n",
			[]check{
				{"type1", "id1", false},
				{"type2", "id1", true},
				{"type2", "id11", true},
				{"type2", "id2", false},
				{"type3", "id100", true},
				{"type3", "id101", false},
				{"type4", `id\WithBac*slash***\*\`, true},
			},
		},
		{
			"driftctl valid testdata: escapes and slashes",
			"ignored_resource.id2\nwildcard_resource.*\nresource_type.id\\.with\\.dots\nresource_type.idwith\\\\\nresource_type.idwith\\\\backslashes\nresource_type.idwith/slashes\n",
			[]check{
				{"type1", "id1", false},
				{"wildcard_resource", "id1/with/slash", true},
				{"wildcard_resource", "id3", true},
				{"ignored_resource", "id2", true},
				{"resource_type", "id.with.dots", true},
				{"resource_type", `idwith\`, true},
				{"resource_type", `idwith\backslashes`, true},
				{"resource_type", "idwith/slashes", true},
				{"resource_type", "id", false},
			},
		},
		{
			"driftctl all-exclude with negations",
			"*\n!iam_user.*\n!some_type.idwith/slash\n",
			[]check{
				{"type1", "id1", true},
				{"iam_user", `id\WithBac*slash***\*\`, false},
				{"some_type", "idwith/slash", false},
				{"some_type", "idwith/slash/", true},
			},
		},
		{"negate everything", "!*\n", []check{{"aws_s3_access_point", "x", false}}},
		{
			"type globs in negation",
			"*\n!aws_s3*\n!aws_route53*\n",
			[]check{
				{"aws_s3_bucket", "b", false},
				{"aws_route53_zone", "z", false},
				{"aws_instance", "i", true},
			},
		},
		{
			"later lines win",
			"aws_iam_user.ci-*\n!aws_iam_user.ci-admin\naws_iam_user.ci-admin\n!aws_iam_user.ci-bot\n",
			[]check{
				{"aws_iam_user", "ci-runner", true},
				{"aws_iam_user", "ci-admin", true},
				{"aws_iam_user", "ci-bot", false},
				{"aws_iam_user", "alice", false},
			},
		},
		{
			"negation before ignore does nothing",
			"!aws_iam_user.bob\naws_iam_user.*\n",
			[]check{{"aws_iam_user", "bob", true}},
		},
		{
			"glob id spans dots in the id",
			"aws_s3_bucket.my-*\n",
			[]check{
				{"aws_s3_bucket", "my-bucket.example.com", true},
				{"aws_s3_bucket", "your-bucket", false},
			},
		},
		{
			"escaped dots in a bucket name",
			"aws_s3_bucket.my\\.bucket\\.com\n",
			[]check{
				{"aws_s3_bucket", "my.bucket.com", true},
				{"aws_s3_bucket", "my", false},
			},
		},
		{
			"escaped star is literal",
			"t.a\\*b\n",
			[]check{{"t", "a*b", true}, {"t", "axb", false}},
		},
		{
			"escaped leading ! and # name a type",
			"\\!odd.x\n\\#hash.y\n",
			[]check{{"!odd", "x", true}, {"#hash", "y", true}},
		},
		{
			"CRLF, trailing and leading blanks",
			"  aws_instance.a  \r\naws_instance.b\t\r\n",
			[]check{{"aws_instance", "a", true}, {"aws_instance", "b", true}, {"aws_instance", "a  ", false}},
		},
		{
			"escaped trailing space is kept",
			"t.a\\ \n",
			[]check{{"t", "a ", true}, {"t", "a", false}},
		},
		{
			"hash inside a rule is literal",
			"t.a#b\n",
			[]check{{"t", "a#b", true}, {"t", "a", false}},
		},
		{
			"attribute rules never ignore the resource",
			"aws_instance.*.tags\n",
			[]check{{"aws_instance", "i-1", false}},
		},
		{
			"prefix and suffix",
			"t.*-prod\nt.dev-*\nt.*mid*\n",
			[]check{
				{"t", "db-prod", true},
				{"t", "dev-db", true},
				{"t", "xmidx", true},
				{"t", "prod-db", false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := mustParse(t, tt.rules)
			for _, c := range tt.checks {
				assert.Equal(t, c.want, rs.IgnoreResource(res(c.typ, c.id)), "%s.%s", c.typ, c.id)
			}
		})
	}
}

func TestIgnoreAttr(t *testing.T) {
	type check struct {
		typ, id string
		path    resource.Path
		want    bool
	}
	tests := []struct {
		name   string
		rules  string
		checks []check
	}{
		{
			"driftctl docs examples",
			"aws_lambda_function.*.environment\naws_lambda_function.my-lambda-name.last_modified\n",
			[]check{
				{"aws_lambda_function", "f", "environment", true},
				{"aws_lambda_function", "f", "environment[0].variables.FOO", true},
				{"aws_lambda_function", "f", "last_modified", false},
				{"aws_lambda_function", "my-lambda-name", "last_modified", true},
				{"aws_lambda_function", "f", "environment_extra", false},
			},
		},
		{
			"attribute and everything beneath",
			"aws_security_group.sg-1.ingress\naws_instance.*.tags.LastScanned\n",
			[]check{
				{"aws_security_group", "sg-1", "ingress", true},
				{"aws_security_group", "sg-1", "ingress[3].from_port", true},
				{"aws_security_group", "sg-1", "egress[0].from_port", false},
				{"aws_security_group", "sg-2", "ingress[3].from_port", false},
				{"aws_instance", "i-1", "tags.LastScanned", true},
				{"aws_instance", "i-1", "tags.Name", false},
				{"aws_instance", "i-1", "tags", false},
			},
		},
		{
			"list indexes: driftctl segment, brackets, wildcard",
			"t.a.ingress.0.cidr_blocks\nt.b.ingress[1].cidr_blocks\nt.c.ingress.*.from_port\nt.d.ingress[*].to_port\n",
			[]check{
				{"t", "a", "ingress[0].cidr_blocks", true},
				{"t", "a", "ingress[0].cidr_blocks[2]", true},
				{"t", "a", "ingress[1].cidr_blocks", false},
				{"t", "b", "ingress[1].cidr_blocks", true},
				{"t", "b", "ingress[0].cidr_blocks", false},
				{"t", "c", "ingress[7].from_port", true},
				{"t", "c", "ingress[7].to_port", false},
				{"t", "d", "ingress[2].to_port", true},
			},
		},
		{
			"quoted and escaped map keys",
			"t.a.tags[\"kubernetes.io/role\"]\nt.b.tags.kubernetes\\.io/role\nt.c.tags[\"a*\"]\n",
			[]check{
				{"t", "a", `tags["kubernetes.io/role"]`, true},
				{"t", "a", `tags["kubernetes.io/other"]`, false},
				{"t", "b", `tags["kubernetes.io/role"]`, true},
				{"t", "c", `tags["a*"]`, true},
				{"t", "c", `tags["ab"]`, false},
			},
		},
		{
			"glob inside a path segment",
			"t.*.tags.aws:*\n",
			[]check{
				{"t", "x", `tags["aws:cloudformation:stack-name"]`, true},
				{"t", "x", "tags.Name", false},
			},
		},
		{
			"negated attribute re-includes beneath an ignored one",
			"aws_instance.*.tags\n!aws_instance.*.tags.Owner\n",
			[]check{
				{"aws_instance", "i", "tags.Env", true},
				{"aws_instance", "i", "tags.Owner", false},
			},
		},
		{
			"resource rule covers attributes and its negation re-includes them",
			"aws_instance.*.tags\n!aws_instance.web\naws_s3_bucket.logs\n",
			[]check{
				{"aws_instance", "db", "tags.Env", true},
				{"aws_instance", "web", "tags.Env", false},
				{"aws_s3_bucket", "logs", "versioning[0].enabled", true},
			},
		},
		{
			"case-sensitive",
			"t.*.Tags\n",
			[]check{{"t", "x", "tags", false}, {"t", "x", "Tags", true}},
		},
		{
			"empty path matches only resource rules",
			"t.*.a\nu.*\n",
			[]check{{"t", "x", "", false}, {"u", "x", "", true}},
		},
		{
			"deep paths beyond the stack buffer",
			"t.*.a" + strings.Repeat(".*", 17) + ".z\n",
			[]check{
				{"t", "x", "a[0][1][2][3][4][5][6][7][8][9][10][11][12][13][14][15][16].z", true},
				{"t", "x", "a[0][1].z", false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := mustParse(t, tt.rules)
			for _, c := range tt.checks {
				assert.Equal(t, c.want, rs.IgnoreAttr(res(c.typ, c.id), c.path), "%s.%s %s", c.typ, c.id, c.path)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"bare type", "# c\n\naws_s3_bucket.b\n\naws_instance\n", `.driftignore:5: expected resource_type.resource_id, got "aws_instance" (write aws_instance.* to match every aws_instance)`},
		{"lone bang", "!\n", `.driftignore:1: expected a rule after "!"`},
		{"empty type", ".x\n", `.driftignore:1: expected resource_type.resource_id, got ".x": empty resource type`},
		{"empty id", "t.\n", `.driftignore:1: expected resource_type.resource_id, got "t.": empty resource id`},
		{"empty path segment", "t.i..x\n", `empty attribute path segment`},
		{"trailing dot in path", "t.i.x.\n", `empty attribute path segment`},
		{"dangling escape", "a.b\nt.i\\\n", `.driftignore:2: expected resource_type.resource_id, got "t.i\\": a "\" at the end escapes nothing`},
		{"dangling escape in path", "t.i.x\\\n", `escapes nothing`},
		{"unterminated bracket", "t.i.a[0\n", `unterminated "["`},
		{"unterminated quote", "t.i.a[\"x\n", `unterminated "[\""`},
		{"bad quoted key", "t.i.a[\"\\q\"]\n", `bad quoted key`},
		{"empty bracket", "t.i.a[]\n", `empty "[]"`},
		{"junk after bracket", "t.i.a[0]b\n", `expected "." or "[" after "]"`},
		{"CRLF line numbers", "a.b\r\nc.d\r\nbad\r\n", `.driftignore:3: expected resource_type.resource_id, got "bad"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDriftignore(".driftignore", strings.NewReader(tt.text))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.ErrorIs(t, err, ErrSyntax)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, ".driftignore", se.File)
		})
	}
}

func TestParseLimits(t *testing.T) {
	long := "t." + strings.Repeat("x", MaxLineBytes) + "\n"
	_, err := ParseDriftignore("big", strings.NewReader("a.b\n"+long))
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "big:2: ")

	ok := "t." + strings.Repeat("x", MaxLineBytes-2) + "\n"
	_, err = ParseDriftignore("fits", strings.NewReader(ok))
	require.NoError(t, err)

	huge := strings.Repeat("aws_instance.i-0123456789\n", MaxFileBytes/25+1)
	_, err = ParseDriftignore("huge", strings.NewReader(huge))
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "read huge: ")

	_, err = ParseDriftignore("broken", errReader{})
	require.ErrorContains(t, err, "read broken: boom")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestNilAndEmptyRules(t *testing.T) {
	var rs *Rules
	r := res("t", "x")
	assert.False(t, rs.IgnoreResource(r))
	assert.False(t, rs.IgnoreAttr(r, "a"))
	assert.False(t, rs.IgnoreKind(drift.Missing, r))
	assert.Equal(t, 0, rs.Len())
	assert.Nil(t, rs.Merge(nil))

	empty := mustParse(t, "")
	assert.False(t, empty.IgnoreResource(r))
	assert.False(t, empty.IgnoreAttr(r, "a"))
	assert.False(t, mustParse(t, "*").IgnoreResource(nil))
	assert.False(t, mustParse(t, "*").IgnoreAttr(nil, "a"))
}

func TestMerge(t *testing.T) {
	a := mustParse(t, "aws_iam_user.*\n")
	b := mustParse(t, "!aws_iam_user.alice\n")
	m := a.Merge(b)
	assert.Equal(t, 2, m.Len())
	assert.True(t, m.IgnoreResource(res("aws_iam_user", "bob")))
	assert.False(t, m.IgnoreResource(res("aws_iam_user", "alice")))
	// Order matters: b then a ignores alice again.
	assert.True(t, b.Merge(a).IgnoreResource(res("aws_iam_user", "alice")))
	// Neither input changed.
	assert.False(t, a.IgnoreResource(res("aws_iam_user", "x")) == false)
	assert.Equal(t, 1, a.Len())
	var none *Rules
	assert.Same(t, a, none.Merge(a))
	assert.Same(t, a, a.Merge(nil))
}

func TestGlobString(t *testing.T) {
	p, err := parsePattern(`a\.b*c.x`)
	require.NoError(t, err)
	assert.Equal(t, `a\.b*c`, p.typ.String())
	assert.Equal(t, "x", p.id.String())
}

func TestPathSteps(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"ingress[2].cidr_blocks", []string{"ingress", "2", "cidr_blocks"}},
		{`tags["kubernetes.io/role"]`, []string{"tags", "kubernetes.io/role"}},
		{`["a.b"].c`, []string{"a.b", "c"}},
		{`tags["q\"x"]`, []string{"tags", `q"x`}},
		{`a[1`, []string{"a", "1"}},
		{`a["x`, []string{"a", `"x`}},
		{`a["\q"]`, []string{"a", `"\q"`}},
		{`a[""]`, []string{"a", ""}},
	}
	for _, tt := range tests {
		got := pathSteps(tt.in, nil)
		if len(tt.want) == 0 {
			assert.Empty(t, got, tt.in)
			continue
		}
		assert.Equal(t, tt.want, got, tt.in)
	}
}
