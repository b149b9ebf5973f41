package drift

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func kinds(r *Result) map[string]Kind {
	m := map[string]Kind{}
	for _, f := range r.Findings {
		m[f.Type+"."+f.ID] = f.Kind
	}
	return m
}

func TestSecurityGroupRulesAsSeparateResources(t *testing.T) {
	// State manages rules as aws_security_group_rule; the SG's refreshed
	// state holds them inline too. The API returns them inline only.
	state := []resource.Resource{
		res(t, "aws_security_group", "sg-1", `{"name":"web","ingress":[{"protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"],"description":""}],"egress":[]}`),
		res(t, "aws_security_group_rule", "sgrule-111", `{"security_group_id":"sg-1","type":"ingress","protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"],"self":false}`),
		res(t, "aws_security_group_rule", "sgrule-222", `{"security_group_id":"sg-1","type":"egress","protocol":"-1","from_port":0,"to_port":0,"cidr_blocks":["0.0.0.0/0"]}`),
	}
	live := []resource.Resource{
		res(t, "aws_security_group", "sg-1", `{"name":"web","ingress":[{"protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]}],"egress":[{"protocol":"-1","from_port":-1,"to_port":-1,"cidr_blocks":["0.0.0.0/0"]}]}`),
	}
	r := Compare(state, live, Options{})
	assert.False(t, r.HasDrift(), "%+v", r.Findings)
	assert.Equal(t, 3, r.Summary.Managed)

	// A rule added in the console shows on the SG; a rule deleted shows
	// MISSING; a CIDR removed from a rule shows on the rule.
	live = []resource.Resource{
		res(t, "aws_security_group", "sg-1", `{"name":"web","ingress":[
			{"protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]},
			{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["0.0.0.0/0"]}],"egress":[]}`),
	}
	r = Compare(state, live, Options{})
	k := kinds(r)
	assert.Equal(t, Modified, k["aws_security_group.sg-1"])
	assert.Equal(t, Missing, k["aws_security_group_rule.sgrule-222"])
	_, ok := k["aws_security_group_rule.sgrule-111"]
	assert.False(t, ok)
	for _, f := range r.Findings {
		if f.Type == "aws_security_group" {
			assert.Equal(t, Critical, f.Severity)
		}
	}
}

func TestSecurityGroupRuleChangedCIDRs(t *testing.T) {
	state := []resource.Resource{
		res(t, "aws_security_group", "sg-1", `{"ingress":[]}`),
		res(t, "aws_security_group_rule", "sgrule-1", `{"security_group_id":"sg-1","type":"ingress","protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["10.0.0.0/8","172.16.0.0/12"],"description":"ssh"}`),
	}
	live := []resource.Resource{
		res(t, "aws_security_group", "sg-1", `{"ingress":[{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["10.0.0.0/8"],"description":"ssh"}]}`),
	}
	r := Compare(state, live, Options{})
	require.Len(t, r.Findings, 1, "%+v", r.Findings)
	f := r.Findings[0]
	assert.Equal(t, "aws_security_group_rule", f.Type)
	assert.Equal(t, Modified, f.Kind)
	assert.Equal(t, resource.Path("cidr_blocks"), f.Diffs[0].Path)
}

func TestVPCSecurityGroupRuleResources(t *testing.T) {
	state := []resource.Resource{
		res(t, "aws_security_group", "sg-1", `{"ingress":[{"protocol":"tcp","from_port":80,"to_port":80,"cidr_blocks":["10.0.0.0/8"]}]}`),
		res(t, "aws_vpc_security_group_ingress_rule", "sgr-1", `{"security_group_id":"sg-1","ip_protocol":"tcp","from_port":80,"to_port":80,"cidr_ipv4":"10.0.0.0/8"}`),
	}
	// Live discovery lists both the SG (inline) and the rule by its id.
	live := []resource.Resource{
		res(t, "aws_security_group", "sg-1", `{"ingress":[{"protocol":"6","from_port":80,"to_port":80,"cidr_blocks":["10.0.0.0/8"]}]}`),
		res(t, "aws_vpc_security_group_ingress_rule", "sgr-1", `{"security_group_id":"sg-1","ip_protocol":"tcp","from_port":80,"to_port":80,"cidr_ipv4":"10.0.0.0/8"}`),
	}
	r := Compare(state, live, Options{})
	assert.False(t, r.HasDrift(), "%+v", r.Findings)

	// Managed inline in state, listed as a rule resource live: managed.
	state = state[:1]
	r = Compare(state, live, Options{})
	assert.False(t, r.HasDrift(), "%+v", r.Findings)
	assert.Equal(t, 0, r.Summary.Unmanaged)

	// A live rule nobody manages is unmanaged.
	live = append(live, res(t, "aws_vpc_security_group_ingress_rule", "sgr-2", `{"security_group_id":"sg-1","ip_protocol":"tcp","from_port":22,"to_port":22,"cidr_ipv4":"0.0.0.0/0"}`))
	r = Compare(state, live, Options{})
	assert.Equal(t, Unmanaged, kinds(r)["aws_vpc_security_group_ingress_rule.sgr-2"])
}

func TestRoutesAsSeparateResources(t *testing.T) {
	state := []resource.Resource{
		res(t, "aws_route_table", "rtb-1", `{"vpc_id":"vpc-1","route":[{"cidr_block":"0.0.0.0/0","gateway_id":"igw-1"}]}`),
		res(t, "aws_route", "r-rtb-11080289494", `{"route_table_id":"rtb-1","destination_cidr_block":"0.0.0.0/0","gateway_id":"igw-1","nat_gateway_id":""}`),
	}
	// The API also returns the implicit local route, which Terraform omits.
	live := []resource.Resource{
		res(t, "aws_route_table", "rtb-1", `{"vpc_id":"vpc-1","route":[{"cidr_block":"10.0.0.0/16","gateway_id":"local"},{"cidr_block":"0.0.0.0/0","gateway_id":"igw-1"}]}`),
	}
	r := Compare(state, live, Options{})
	assert.False(t, r.HasDrift(), "%+v", r.Findings)

	live[0] = res(t, "aws_route_table", "rtb-1", `{"vpc_id":"vpc-1","route":[{"cidr_block":"0.0.0.0/0","nat_gateway_id":"nat-9"}]}`)
	r = Compare(state, live, Options{})
	require.Len(t, r.Findings, 1, "%+v", r.Findings)
	assert.Equal(t, "aws_route", r.Findings[0].Type)
	assert.ElementsMatch(t, []resource.Path{"gateway_id", "nat_gateway_id"},
		[]resource.Path{r.Findings[0].Diffs[0].Path, r.Findings[0].Diffs[1].Path})

	live[0] = res(t, "aws_route_table", "rtb-1", `{"vpc_id":"vpc-1","route":[]}`)
	r = Compare(state, live, Options{})
	assert.Equal(t, Missing, kinds(r)["aws_route.r-rtb-11080289494"])
}

func TestIAMAttachmentsVersusManagedPolicyArns(t *testing.T) {
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	// Separate attachment in state; the live role lists the policy and
	// discovery does not list attachments on their own.
	state := []resource.Resource{
		res(t, "aws_iam_role", "app", `{"name":"app","managed_policy_arns":[]}`),
		res(t, "aws_iam_role_policy_attachment", "app-2024", `{"role":"app","policy_arn":"`+arn+`"}`),
	}
	live := []resource.Resource{
		res(t, "aws_iam_role", "app", `{"name":"app","managed_policy_arns":["`+arn+`"]}`),
	}
	r := Compare(state, live, Options{})
	assert.False(t, r.HasDrift(), "%+v", r.Findings)
	assert.Equal(t, 2, r.Summary.Managed)

	// The attachment removed in the console.
	live[0] = res(t, "aws_iam_role", "app", `{"name":"app","managed_policy_arns":[]}`)
	r = Compare(state, live, Options{})
	assert.Equal(t, Missing, kinds(r)["aws_iam_role_policy_attachment.app-2024"])

	// Inline management in state (managed_policy_arns), attachments listed
	// live: managed, not unmanaged.
	state = []resource.Resource{res(t, "aws_iam_role", "app", `{"name":"app","managed_policy_arns":["`+arn+`"]}`)}
	live = []resource.Resource{
		res(t, "aws_iam_role", "app", `{"name":"app","managed_policy_arns":["`+arn+`"]}`),
		res(t, "aws_iam_role_policy_attachment", "app/"+arn, `{"role":"app","policy_arn":"`+arn+`"}`),
		res(t, "aws_iam_role_policy_attachment", "app/admin", `{"role":"app","policy_arn":"arn:aws:iam::aws:policy/AdministratorAccess"}`),
	}
	r = Compare(state, live, Options{})
	k := kinds(r)
	assert.Equal(t, Unmanaged, k["aws_iam_role_policy_attachment.app/admin"])
	assert.Len(t, r.Findings, 1)
	assert.Equal(t, High, r.Findings[0].Severity)
}

func TestAzureNSGRulesAsSeparateResources(t *testing.T) {
	nsg := "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/web"
	rule := `{"name":"ssh","priority":100,"direction":"Inbound","access":"Allow","protocol":"Tcp","destination_port_range":"22","source_address_prefix":"10.0.0.0/8"}`
	opened := `{"name":"ssh","priority":100,"direction":"Inbound","access":"Allow","protocol":"Tcp","destination_port_range":"22","source_address_prefix":"*"}`
	state := []resource.Resource{
		res(t, "azurerm_network_security_group", nsg, `{"name":"web","security_rule":[`+rule+`]}`),
		res(t, "azurerm_network_security_rule", nsg+"/securityRules/ssh", rule),
	}
	// ARM lists the rule inside the NSG and on its own; the resource
	// group's case differs in the child's id.
	liveChild := strings.Replace(nsg, "resourceGroups/rg", "resourceGroups/RG", 1) + "/securityRules/ssh"
	live := []resource.Resource{
		res(t, "azurerm_network_security_group", nsg, `{"name":"web","security_rule":[`+rule+`]}`),
		res(t, "azurerm_network_security_rule", liveChild, rule),
	}
	r := Compare(state, live, Options{})
	assert.False(t, r.HasDrift(), "%+v", r.Findings)

	// Opened in the portal: reported once, on the rule.
	live[0] = res(t, "azurerm_network_security_group", nsg, `{"name":"web","security_rule":[`+opened+`]}`)
	live[1] = res(t, "azurerm_network_security_rule", nsg+"/securityRules/ssh", opened)
	r = Compare(state, live, Options{})
	require.Len(t, r.Findings, 1, "%+v", r.Findings)
	assert.Equal(t, "azurerm_network_security_rule", r.Findings[0].Type)
	assert.Equal(t, Critical, r.Findings[0].Severity)

	// Rules managed inline on the NSG, listed on their own live: managed.
	state = state[:1]
	live[0] = res(t, "azurerm_network_security_group", nsg, `{"name":"web","security_rule":[`+rule+`]}`)
	live[1] = res(t, "azurerm_network_security_rule", nsg+"/securityRules/ssh", rule)
	r = Compare(state, live, Options{})
	assert.False(t, r.HasDrift(), "%+v", r.Findings)
	assert.Equal(t, 0, r.Summary.Unmanaged)
}

func TestAzureSubnetsAsSeparateResources(t *testing.T) {
	vnet := "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/main"
	state := []resource.Resource{
		res(t, "azurerm_virtual_network", vnet, `{"name":"main","subnet":[{"name":"b","address_prefixes":["10.0.2.0/24"]},{"name":"a","address_prefixes":["10.0.1.0/24"]}]}`),
		res(t, "azurerm_subnet", vnet+"/subnets/a", `{"name":"a","address_prefixes":["10.0.1.0/24"]}`),
	}
	live := []resource.Resource{
		res(t, "azurerm_virtual_network", vnet, `{"name":"main","subnet":[{"name":"a","address_prefixes":["10.0.1.0/24"]},{"name":"b","address_prefixes":["10.0.2.0/24"]}]}`),
		res(t, "azurerm_subnet", vnet+"/subnets/a", `{"name":"a","address_prefixes":["10.0.1.0/24"]}`),
		res(t, "azurerm_subnet", vnet+"/subnets/b", `{"name":"b","address_prefixes":["10.0.2.0/24"]}`),
	}
	r := Compare(state, live, Options{})
	assert.False(t, r.HasDrift(), "subnet b is managed inline, a on its own: %+v", r.Findings)
}
