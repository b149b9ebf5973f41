//lint:file-ignore SA1019 the provider still stores encryption_config.resources in state

package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) eksListers() []discovery.Lister {
	newClient := func(cfg aws.Config) *eks.Client { return eks.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "eks", false, []string{"aws_eks_cluster"}, newClient, p.listClusters),
	}
}

// listClusters emits aws_eks_cluster with the name as id: ListClusters
// returns names only, DescribeCluster the rest, tags included.
func (p *provider) listClusters(ctx context.Context, c *eks.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := eks.NewListClustersPaginator(c, &eks.ListClustersInput{MaxResults: p.boundedPage(1, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list eks clusters: %w", err)
		}
		for _, name := range out.Clusters {
			got, err := c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
			if err != nil {
				return fmt.Errorf("describe eks cluster %s: %w", name, err)
			}
			if got.Cluster == nil {
				continue
			}
			emit(newResource("aws_eks_cluster", name, s, clusterAttrs(got.Cluster), got.Cluster.Tags))
		}
	}
	return nil
}

func clusterAttrs(cl *types.Cluster) map[string]any {
	vpc := []any{}
	if v := cl.ResourcesVpcConfig; v != nil {
		vpc = append(vpc, map[string]any{
			"subnet_ids":                sortedStrings(v.SubnetIds),
			"security_group_ids":        sortedStrings(v.SecurityGroupIds),
			"endpoint_public_access":    v.EndpointPublicAccess,
			"endpoint_private_access":   v.EndpointPrivateAccess,
			"public_access_cidrs":       sortedStrings(v.PublicAccessCidrs),
			"cluster_security_group_id": sv(v.ClusterSecurityGroupId),
			"vpc_id":                    sv(v.VpcId),
		})
	}
	var logTypes []string
	if l := cl.Logging; l != nil {
		for _, setup := range l.ClusterLogging {
			if bv(setup.Enabled) {
				for _, t := range setup.Types {
					logTypes = append(logTypes, string(t))
				}
			}
		}
	}
	enc := []any{}
	for _, e := range cl.EncryptionConfig {
		key := ""
		if e.Provider != nil {
			key = sv(e.Provider.KeyArn)
		}
		enc = append(enc, map[string]any{"resources": sortedStrings(e.Resources),
			"provider": []any{map[string]any{"key_arn": key}}})
	}
	network := []any{}
	if k := cl.KubernetesNetworkConfig; k != nil {
		network = append(network, map[string]any{"service_ipv4_cidr": sv(k.ServiceIpv4Cidr),
			"service_ipv6_cidr": sv(k.ServiceIpv6Cidr), "ip_family": string(k.IpFamily)})
	}
	access := []any{}
	if a := cl.AccessConfig; a != nil {
		access = append(access, map[string]any{"authentication_mode": string(a.AuthenticationMode),
			"bootstrap_cluster_creator_admin_permissions": bv(a.BootstrapClusterCreatorAdminPermissions)})
	}
	identity := []any{}
	if i := cl.Identity; i != nil && i.Oidc != nil {
		identity = append(identity, map[string]any{"oidc": []any{map[string]any{"issuer": sv(i.Oidc.Issuer)}}})
	}
	ca := []any{}
	if cl.CertificateAuthority != nil {
		ca = append(ca, map[string]any{"data": sv(cl.CertificateAuthority.Data)})
	}
	upgrade := []any{}
	if u := cl.UpgradePolicy; u != nil {
		upgrade = append(upgrade, map[string]any{"support_type": string(u.SupportType)})
	}
	return map[string]any{
		"arn":                       sv(cl.Arn),
		"name":                      sv(cl.Name),
		"role_arn":                  sv(cl.RoleArn),
		"version":                   sv(cl.Version),
		"platform_version":          sv(cl.PlatformVersion),
		"status":                    string(cl.Status),
		"endpoint":                  sv(cl.Endpoint),
		"created_at":                rfc3339(cl.CreatedAt),
		"vpc_config":                vpc,
		"enabled_cluster_log_types": sortedStrings(logTypes),
		"encryption_config":         enc,
		"kubernetes_network_config": network,
		"access_config":             access,
		"identity":                  identity,
		"certificate_authority":     ca,
		"upgrade_policy":            upgrade,
	}
}
