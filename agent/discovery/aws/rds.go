package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) rdsListers() []discovery.Lister {
	newClient := func(cfg aws.Config) *rds.Client { return rds.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "rds", false, []string{"aws_db_instance"}, newClient, p.listDBInstances),
		clientLister(p, "rds", false, []string{"aws_rds_cluster"}, newClient, p.listDBClusters),
		clientLister(p, "rds", false, []string{"aws_db_subnet_group"}, newClient, p.listDBSubnetGroups),
	}
}

func rdsTags(ts []types.Tag) map[string]string {
	out := make(map[string]string, len(ts))
	for _, t := range ts {
		out[sv(t.Key)] = sv(t.Value)
	}
	return out
}

func rdsSecurityGroups(gs []types.VpcSecurityGroupMembership) []any {
	ids := make([]string, 0, len(gs))
	for _, g := range gs {
		ids = append(ids, sv(g.VpcSecurityGroupId))
	}
	return sortedStrings(ids)
}

// listDBInstances emits aws_db_instance with the Terraform provider's id
// (the DbiResourceId) and identifier. The master password is never
// returned by RDS and never emitted.
func (p *provider) listDBInstances(ctx context.Context, c *rds.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := rds.NewDescribeDBInstancesPaginator(c, &rds.DescribeDBInstancesInput{MaxRecords: p.boundedPage(20, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe db instances: %w", err)
		}
		for _, db := range out.DBInstances {
			attrs := map[string]any{
				"arn":                                 sv(db.DBInstanceArn),
				"identifier":                          sv(db.DBInstanceIdentifier),
				"resource_id":                         sv(db.DbiResourceId),
				"instance_class":                      sv(db.DBInstanceClass),
				"engine":                              sv(db.Engine),
				"engine_version":                      sv(db.EngineVersion),
				"username":                            sv(db.MasterUsername),
				"db_name":                             sv(db.DBName),
				"allocated_storage":                   i32(db.AllocatedStorage),
				"max_allocated_storage":               i32(db.MaxAllocatedStorage),
				"storage_type":                        sv(db.StorageType),
				"iops":                                i32(db.Iops),
				"storage_throughput":                  i32(db.StorageThroughput),
				"storage_encrypted":                   bv(db.StorageEncrypted),
				"kms_key_id":                          sv(db.KmsKeyId),
				"multi_az":                            bv(db.MultiAZ),
				"availability_zone":                   sv(db.AvailabilityZone),
				"publicly_accessible":                 bv(db.PubliclyAccessible),
				"vpc_security_group_ids":              rdsSecurityGroups(db.VpcSecurityGroups),
				"db_subnet_group_name":                "",
				"parameter_group_name":                "",
				"backup_retention_period":             i32(db.BackupRetentionPeriod),
				"backup_window":                       sv(db.PreferredBackupWindow),
				"maintenance_window":                  sv(db.PreferredMaintenanceWindow),
				"auto_minor_version_upgrade":          bv(db.AutoMinorVersionUpgrade),
				"deletion_protection":                 bv(db.DeletionProtection),
				"copy_tags_to_snapshot":               bv(db.CopyTagsToSnapshot),
				"monitoring_interval":                 i32(db.MonitoringInterval),
				"iam_database_authentication_enabled": bv(db.IAMDatabaseAuthenticationEnabled),
				"performance_insights_enabled":        bv(db.PerformanceInsightsEnabled),
				"ca_cert_identifier":                  sv(db.CACertificateIdentifier),
				"license_model":                       sv(db.LicenseModel),
				"cluster_identifier":                  sv(db.DBClusterIdentifier),
				"network_type":                        sv(db.NetworkType),
				"status":                              sv(db.DBInstanceStatus),
				"enabled_cloudwatch_logs_exports":     sortedStrings(db.EnabledCloudwatchLogsExports),
				"port":                                float64(0),
				"address":                             "",
				"endpoint":                            "",
				"hosted_zone_id":                      "",
			}
			if e := db.Endpoint; e != nil {
				attrs["port"] = i32(e.Port)
				attrs["address"] = sv(e.Address)
				attrs["endpoint"] = fmt.Sprintf("%s:%d", sv(e.Address), aws.ToInt32(e.Port))
				attrs["hosted_zone_id"] = sv(e.HostedZoneId)
			}
			if g := db.DBSubnetGroup; g != nil {
				attrs["db_subnet_group_name"] = sv(g.DBSubnetGroupName)
			}
			if len(db.DBParameterGroups) > 0 {
				attrs["parameter_group_name"] = sv(db.DBParameterGroups[0].DBParameterGroupName)
			}
			emit(newResource("aws_db_instance", sv(db.DbiResourceId), s, attrs, rdsTags(db.TagList)))
		}
	}
	return nil
}

func (p *provider) listDBClusters(ctx context.Context, c *rds.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := rds.NewDescribeDBClustersPaginator(c, &rds.DescribeDBClustersInput{MaxRecords: p.boundedPage(20, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe db clusters: %w", err)
		}
		for _, cl := range out.DBClusters {
			var members []string
			for _, m := range cl.DBClusterMembers {
				members = append(members, sv(m.DBInstanceIdentifier))
			}
			id := sv(cl.DBClusterIdentifier)
			emit(newResource("aws_rds_cluster", id, s, map[string]any{
				"arn":                                 sv(cl.DBClusterArn),
				"cluster_identifier":                  id,
				"cluster_resource_id":                 sv(cl.DbClusterResourceId),
				"engine":                              sv(cl.Engine),
				"engine_version":                      sv(cl.EngineVersion),
				"engine_mode":                         sv(cl.EngineMode),
				"database_name":                       sv(cl.DatabaseName),
				"master_username":                     sv(cl.MasterUsername),
				"port":                                i32(cl.Port),
				"db_subnet_group_name":                sv(cl.DBSubnetGroup),
				"db_cluster_parameter_group_name":     sv(cl.DBClusterParameterGroup),
				"vpc_security_group_ids":              rdsSecurityGroups(cl.VpcSecurityGroups),
				"availability_zones":                  sortedStrings(cl.AvailabilityZones),
				"backup_retention_period":             i32(cl.BackupRetentionPeriod),
				"preferred_backup_window":             sv(cl.PreferredBackupWindow),
				"preferred_maintenance_window":        sv(cl.PreferredMaintenanceWindow),
				"storage_encrypted":                   bv(cl.StorageEncrypted),
				"kms_key_id":                          sv(cl.KmsKeyId),
				"storage_type":                        sv(cl.StorageType),
				"deletion_protection":                 bv(cl.DeletionProtection),
				"copy_tags_to_snapshot":               bv(cl.CopyTagsToSnapshot),
				"iam_database_authentication_enabled": bv(cl.IAMDatabaseAuthenticationEnabled),
				"endpoint":                            sv(cl.Endpoint),
				"reader_endpoint":                     sv(cl.ReaderEndpoint),
				"hosted_zone_id":                      sv(cl.HostedZoneId),
				"network_type":                        sv(cl.NetworkType),
				"cluster_members":                     sortedStrings(members),
				"enabled_cloudwatch_logs_exports":     sortedStrings(cl.EnabledCloudwatchLogsExports),
			}, rdsTags(cl.TagList)))
		}
	}
	return nil
}

// listDBSubnetGroups reads each group's tags with ListTagsForResource:
// DescribeDBSubnetGroups does not return them.
func (p *provider) listDBSubnetGroups(ctx context.Context, c *rds.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := rds.NewDescribeDBSubnetGroupsPaginator(c, &rds.DescribeDBSubnetGroupsInput{MaxRecords: p.boundedPage(20, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe db subnet groups: %w", err)
		}
		for _, g := range out.DBSubnetGroups {
			name := sv(g.DBSubnetGroupName)
			tags, err := c.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: g.DBSubnetGroupArn})
			if err != nil {
				return fmt.Errorf("list tags of db subnet group %s: %w", name, err)
			}
			var subnets []string
			for _, sn := range g.Subnets {
				subnets = append(subnets, sv(sn.SubnetIdentifier))
			}
			emit(newResource("aws_db_subnet_group", name, s, map[string]any{
				"arn":                     sv(g.DBSubnetGroupArn),
				"name":                    name,
				"description":             sv(g.DBSubnetGroupDescription),
				"vpc_id":                  sv(g.VpcId),
				"subnet_ids":              sortedStrings(subnets),
				"supported_network_types": sortedStrings(g.SupportedNetworkTypes),
			}, rdsTags(tags.TagList)))
		}
	}
	return nil
}
