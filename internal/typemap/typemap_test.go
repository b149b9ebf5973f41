package typemap

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	account = "123456789012"
	region  = "eu-west-1"
)

// sample fills a pattern with made-up values, the scope's where it names
// the scope.
func sample(p Pattern) (string, map[string]any) {
	attrs := map[string]any{}
	s, ok := p.Fill(func(k string) (string, bool) {
		switch k {
		case "account":
			return account, true
		case "region":
			return region, true
		case "partition":
			return "aws", true
		case "project":
			return "acme-prod", true
		}
		return "s-" + strings.ToLower(k), true
	})
	if !ok {
		panic("unfillable " + p)
	}
	return s, attrs
}

func TestPattern(t *testing.T) {
	p := Pattern("arn:aws:events:{region}:{account}:rule/{bus}/{name}")
	vars, ok := p.Match("arn:aws:events:us-east-1:123456789012:rule/orders/on-order")
	require.True(t, ok)
	assert.Equal(t, map[string]string{"region": "us-east-1", "account": "123456789012", "bus": "orders", "name": "on-order"}, vars)
	_, ok = p.Match("arn:aws:events:us-east-1:123456789012:rule/on-order")
	assert.False(t, ok)
	_, ok = Pattern("{name}").Fill(func(string) (string, bool) { return "", false })
	assert.False(t, ok)
	assert.Equal(t, []string{"a", "b"}, Pattern("{a}|{b}").Vars())

	vars, ok = Pattern("{id}|{cluster}").Match("arn:aws:ecs:us-east-1:1:service/c/web|c")
	require.True(t, ok)
	assert.Equal(t, "arn:aws:ecs:us-east-1:1:service/c/web", vars["id"])
}

func TestFromAny(t *testing.T) {
	get := fromAny(map[string]any{"s": "x", "n": float64(3), "b": true, "o": []any{1}, "e": ""})
	for k, want := range map[string]string{"s": "x", "n": "3", "b": "true", "o": "[1]"} {
		v, ok := get(k)
		assert.True(t, ok, k)
		assert.Equal(t, want, v, k)
	}
	_, ok := get("e")
	assert.False(t, ok)
	_, ok = get("missing")
	assert.False(t, ok)
}

// TestAWSTypesRoundTrip: every entry is found by both names, and every
// Terraform id form survives Terraform -> Cloud Control -> Terraform (what
// the simulator renders is what the lister reads back).
func TestAWSTypesRoundTrip(t *testing.T) {
	require.GreaterOrEqual(t, len(AWSTypes), 100)
	cfn, tf := map[string]bool{}, map[string]bool{}
	for _, typ := range AWSTypes {
		t.Run(typ.CloudFormation, func(t *testing.T) {
			require.False(t, cfn[typ.CloudFormation], "duplicate")
			require.False(t, tf[typ.Terraform], "duplicate")
			cfn[typ.CloudFormation], tf[typ.Terraform] = true, true
			assert.True(t, strings.HasPrefix(typ.CloudFormation, "AWS::"))
			assert.True(t, strings.HasPrefix(typ.Terraform, "aws_"))
			got, ok := AWSByCloudFormation(strings.ToUpper(typ.CloudFormation))
			require.True(t, ok)
			assert.Equal(t, typ.Terraform, got.Terraform)
			got, ok = AWSByTerraform(typ.Terraform)
			require.True(t, ok)
			assert.Equal(t, typ.CloudFormation, got.CloudFormation)

			forms := typ.IDs
			if len(forms) == 0 {
				forms = []IDForm{{Identifier: "{id}", Terraform: "{id}"}}
			}
			reg := region
			if typ.Global {
				reg = ""
			}
			for _, f := range forms {
				id, _ := sample(f.Terraform)
				attrs := map[string]any{}
				for _, v := range f.Identifier.Vars() {
					if _, ok := f.Terraform.Match(id); ok && !isScopeVar(v) {
						attrs[v] = "s-" + strings.ToLower(v)
					}
				}
				ident, props := typ.Identifier(id, attrs, account, reg)
				propsAny := map[string]any{}
				for k, v := range props {
					propsAny[k] = v
				}
				assert.Equal(t, id, typ.TerraformID(ident, propsAny, account, reg), "identifier %q", ident)
			}
		})
	}
	_, ok := AWSByCloudFormation("AWS::No::Such")
	assert.False(t, ok)
}

func TestAWSIDForms(t *testing.T) {
	typ := func(cfn string) AWSType { t.Helper(); x, ok := AWSByCloudFormation(cfn); require.True(t, ok); return x }
	rule := typ("AWS::Events::Rule")
	assert.Equal(t, "orders|on-order", rule.TerraformID("arn:aws:events:us-east-1:1:rule/orders/on-order", nil, "1", "us-east-1"))
	assert.Equal(t, "nightly", rule.TerraformID("arn:aws:events:us-east-1:1:rule/nightly", nil, "1", "us-east-1"))
	ident, _ := rule.Identifier("nightly", nil, "1", "us-east-1")
	assert.Equal(t, "arn:aws:events:us-east-1:1:rule/nightly", ident)

	ecs := typ("AWS::ECS::Cluster")
	assert.Equal(t, "arn:aws:ecs:eu-west-1:1:cluster/prod", ecs.TerraformID("prod", nil, "1", "eu-west-1"))
	eip := typ("AWS::EC2::EIP")
	assert.Equal(t, "eipalloc-1", eip.TerraformID("203.0.113.1|eipalloc-1", nil, "1", "eu-west-1"))
	ident, _ = eip.Identifier("eipalloc-1", map[string]any{"public_ip": "203.0.113.1"}, "1", "eu-west-1")
	assert.Equal(t, "203.0.113.1|eipalloc-1", ident)
	// Without the attribute the identifier cannot be built: the id stands in.
	ident, _ = eip.Identifier("eipalloc-1", nil, "1", "eu-west-1")
	assert.Equal(t, "eipalloc-1", ident)

	db := typ("AWS::RDS::DBInstance")
	ident, props := db.Identifier("db-ABC", map[string]any{"identifier": "orders"}, "1", "eu-west-1")
	assert.Equal(t, "orders", ident)
	assert.Equal(t, map[string]string{"DbiResourceId": "db-ABC"}, props)
	assert.Equal(t, "db-ABC", db.TerraformID("orders", map[string]any{"DbiResourceId": "db-ABC"}, "1", "eu-west-1"))
	assert.Equal(t, "orders", db.TerraformID("orders", nil, "1", "eu-west-1"))
	td := typ("AWS::ECS::TaskDefinition")
	assert.Equal(t, "web", td.TerraformID("arn:aws:ecs:eu-west-1:1:task-definition/web:7", nil, "1", "eu-west-1"))
}

func TestAzureTypes(t *testing.T) {
	require.GreaterOrEqual(t, len(AzureTypes), 60)
	seen := map[string]bool{}
	for _, typ := range AzureTypes {
		t.Run(typ.Terraform, func(t *testing.T) {
			require.False(t, seen[typ.Terraform], "duplicate")
			seen[typ.Terraform] = true
			assert.Equal(t, strings.ToLower(typ.ARM), typ.ARM)
			assert.True(t, strings.HasPrefix(typ.Terraform, "azurerm_"))
			back, ok := AzureByTerraform(typ.Terraform)
			require.True(t, ok)
			assert.Equal(t, typ.ARM, back.ARM)
			got, ok := AzureByARM(strings.ToUpper(typ.ARM), strings.ToLower(typ.OSType))
			require.True(t, ok)
			assert.Equal(t, typ.Terraform, got.Terraform)
		})
	}
	vm, ok := AzureByARM("Microsoft.Compute/virtualMachines", "")
	require.True(t, ok)
	assert.Equal(t, "azurerm_linux_virtual_machine", vm.Terraform)
	_, ok = AzureByARM("microsoft.none/things", "")
	assert.False(t, ok)
}

func TestGoogleTypes(t *testing.T) {
	require.GreaterOrEqual(t, len(GoogleTypes), 60)
	seen := map[string]bool{}
	for _, typ := range GoogleTypes {
		t.Run(typ.Terraform, func(t *testing.T) {
			require.False(t, seen[typ.Asset], "duplicate")
			seen[typ.Asset] = true
			assert.True(t, strings.HasPrefix(typ.Terraform, "google_"))
			back, ok := GoogleByTerraform(typ.Terraform)
			require.True(t, ok)
			assert.Equal(t, typ.Asset, back.Asset)
			_, ok = GoogleByAsset(typ.Asset)
			require.True(t, ok)

			id, _ := sample(typ.idForm())
			name, _, ok := typ.AssetName(id, "acme-prod")
			require.True(t, ok, id)
			assert.True(t, strings.HasPrefix(name, "//"+typ.NameHost()+"/"), name)
			got, ok := typ.TerraformID(name, "acme-prod")
			require.True(t, ok, name)
			assert.Equal(t, id, got)
		})
	}
	inst, _ := GoogleByTerraform("google_compute_instance")
	id, ok := inst.TerraformID("//compute.googleapis.com/projects/p1/zones/us-central1-a/instances/web-1", "p1")
	require.True(t, ok)
	assert.Equal(t, "projects/p1/zones/us-central1-a/instances/web-1", id)
	_, ok = inst.TerraformID("//storage.googleapis.com/b", "p1")
	assert.False(t, ok)
	_, ok = inst.TerraformID("//compute.googleapis.com/projects/p1/global/networks/n", "p1")
	assert.False(t, ok)
	_, _, ok = inst.AssetName("not-a-path", "p1")
	assert.False(t, ok)
	sql, _ := GoogleByTerraform("google_sql_database_instance")
	name, _, ok := sql.AssetName("orders-db", "acme-prod")
	require.True(t, ok)
	assert.Equal(t, "//cloudsql.googleapis.com/projects/acme-prod/instances/orders-db", name)
}
