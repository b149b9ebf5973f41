package awssim

import (
	"fmt"
	"net/http"
	"strings"
)

const rdsNS = "http://rds.amazonaws.com/doc/2014-10-31/"

// rdsPage is how RDS Describe calls page: Marker and MaxRecords, which the
// API bounds to 20..100.
var rdsPage = queryPage{inToken: "Marker", outToken: "Marker", sizeParam: "MaxRecords", def: 100, min: 20, max: 100}

// rds answers the RDS Query API: DB instances, clusters and subnet groups,
// and the tags of a resource by ARN. The master password is write-only in
// RDS: nothing renders it.
func (h *handler) rds(rw http.ResponseWriter, c *call) {
	if err := c.r.ParseForm(); err != nil {
		queryError(rw, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	if !queryFault(rw, h.w.Check("aws:rds", c.account)) {
		return
	}
	f := c.r.Form
	switch action := f.Get("Action"); action {
	case "DescribeDBInstances":
		items := h.rdsFilter(c, "aws_db_instance", "identifier", f.Get("DBInstanceIdentifier"))
		if f.Get("DBInstanceIdentifier") != "" && len(items) == 0 {
			queryError(rw, http.StatusNotFound, "Sender", "DBInstanceNotFound", "DBInstance "+f.Get("DBInstanceIdentifier")+" not found.")
			return
		}
		queryList(rw, c, rdsNS, action, "DBInstances", "DBInstance", rdsPage, items, renderDBInstance)
	case "DescribeDBClusters":
		items := h.rdsFilter(c, "aws_rds_cluster", "id", f.Get("DBClusterIdentifier"))
		if f.Get("DBClusterIdentifier") != "" && len(items) == 0 {
			queryError(rw, http.StatusNotFound, "Sender", "DBClusterNotFoundFault", "DBCluster "+f.Get("DBClusterIdentifier")+" not found.")
			return
		}
		queryList(rw, c, rdsNS, action, "DBClusters", "DBCluster", rdsPage, items, renderDBCluster)
	case "DescribeDBSubnetGroups":
		items := h.rdsFilter(c, "aws_db_subnet_group", "id", f.Get("DBSubnetGroupName"))
		if f.Get("DBSubnetGroupName") != "" && len(items) == 0 {
			queryError(rw, http.StatusNotFound, "Sender", "DBSubnetGroupNotFoundFault", "DBSubnetGroup "+f.Get("DBSubnetGroupName")+" not found.")
			return
		}
		queryList(rw, c, rdsNS, action, "DBSubnetGroups", "DBSubnetGroup", rdsPage, items, renderDBSubnetGroup)
	case "ListTagsForResource":
		h.rdsTags(rw, c)
	default:
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+action)
	}
}

// rdsFilter lists a type, narrowed to the one whose key attribute is id
// when id is set.
func (h *handler) rdsFilter(c *call, typ, key, id string) []map[string]any {
	all := h.resources(c, typ, false)
	if id == "" {
		return all
	}
	var out []map[string]any
	for _, m := range all {
		if str(m, key) == id {
			out = append(out, m)
		}
	}
	return out
}

func rdsARN(c *call, kind, name string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:%s:%s", c.region, c.account, kind, name)
}

func vpcSecurityGroups(d *doc, m map[string]any) {
	d.open("VpcSecurityGroups")
	for _, g := range strs(m, "vpc_security_group_ids") {
		d.open("VpcSecurityGroupMembership")
		d.text("VpcSecurityGroupId", g)
		d.text("Status", "active")
		d.close("VpcSecurityGroupMembership")
	}
	d.close("VpcSecurityGroups")
}

func renderDBInstance(c *call, d *doc, m map[string]any) {
	name := str(m, "identifier")
	d.text("DBInstanceIdentifier", name)
	d.text("DbiResourceId", str(m, "id"))
	d.text("DBInstanceArn", rdsARN(c, "db", name))
	d.text("DBInstanceClass", str(m, "instance_class"))
	d.text("Engine", str(m, "engine"))
	d.text("EngineVersion", str(m, "engine_version"))
	d.text("DBInstanceStatus", strOr(m, "status", "available"))
	d.opt("MasterUsername", str(m, "username"))
	d.opt("DBName", str(m, "db_name"))
	d.open("Endpoint")
	d.text("Address", fmt.Sprintf("%s.c0awssim.%s.rds.amazonaws.com", name, c.region))
	d.num("Port", num(m, "port"))
	d.text("HostedZoneId", "Z2R2ITUGPM61AM")
	d.close("Endpoint")
	d.num("AllocatedStorage", num(m, "allocated_storage"))
	if v := num(m, "max_allocated_storage"); v > 0 {
		d.num("MaxAllocatedStorage", v)
	}
	d.text("InstanceCreateTime", created)
	d.opt("PreferredBackupWindow", str(m, "backup_window"))
	d.num("BackupRetentionPeriod", num(m, "backup_retention_period"))
	vpcSecurityGroups(d, m)
	d.open("DBParameterGroups")
	if p := str(m, "parameter_group_name"); p != "" {
		d.open("DBParameterGroup")
		d.text("DBParameterGroupName", p)
		d.text("ParameterApplyStatus", "in-sync")
		d.close("DBParameterGroup")
	}
	d.close("DBParameterGroups")
	d.opt("AvailabilityZone", str(m, "availability_zone"))
	if g := str(m, "db_subnet_group_name"); g != "" {
		d.open("DBSubnetGroup")
		d.text("DBSubnetGroupName", g)
		d.text("SubnetGroupStatus", "Complete")
		d.close("DBSubnetGroup")
	}
	d.opt("PreferredMaintenanceWindow", str(m, "maintenance_window"))
	d.boolean("MultiAZ", boolean(m, "multi_az"))
	d.boolean("AutoMinorVersionUpgrade", boolean(m, "auto_minor_version_upgrade"))
	d.boolean("PubliclyAccessible", boolean(m, "publicly_accessible"))
	d.opt("StorageType", str(m, "storage_type"))
	if v := num(m, "iops"); v > 0 {
		d.num("Iops", v)
	}
	if v := num(m, "storage_throughput"); v > 0 {
		d.num("StorageThroughput", v)
	}
	d.boolean("StorageEncrypted", boolean(m, "storage_encrypted"))
	d.opt("KmsKeyId", str(m, "kms_key_id"))
	d.opt("CACertificateIdentifier", str(m, "ca_cert_identifier"))
	d.boolean("CopyTagsToSnapshot", boolean(m, "copy_tags_to_snapshot"))
	d.num("MonitoringInterval", num(m, "monitoring_interval"))
	d.boolean("IAMDatabaseAuthenticationEnabled", boolean(m, "iam_database_authentication_enabled"))
	d.boolean("PerformanceInsightsEnabled", boolean(m, "performance_insights_enabled"))
	d.boolean("DeletionProtection", boolean(m, "deletion_protection"))
	d.opt("LicenseModel", str(m, "license_model"))
	d.opt("DBClusterIdentifier", str(m, "cluster_identifier"))
	d.opt("NetworkType", str(m, "network_type"))
	members(d, "EnabledCloudwatchLogsExports", "member", strs(m, "enabled_cloudwatch_logs_exports"))
	queryTags(d, "TagList", "Tag", m)
}

func renderDBCluster(c *call, d *doc, m map[string]any) {
	name := str(m, "id")
	d.text("DBClusterIdentifier", name)
	d.text("DbClusterResourceId", str(m, "cluster_resource_id"))
	d.text("DBClusterArn", rdsARN(c, "cluster", name))
	d.text("Engine", str(m, "engine"))
	d.text("EngineVersion", str(m, "engine_version"))
	d.opt("EngineMode", str(m, "engine_mode"))
	d.text("Status", "available")
	d.opt("DatabaseName", str(m, "database_name"))
	d.opt("MasterUsername", str(m, "master_username"))
	d.num("Port", num(m, "port"))
	d.opt("DBSubnetGroup", str(m, "db_subnet_group_name"))
	d.opt("DBClusterParameterGroup", str(m, "db_cluster_parameter_group_name"))
	vpcSecurityGroups(d, m)
	members(d, "AvailabilityZones", "AvailabilityZone", strs(m, "availability_zones"))
	d.num("BackupRetentionPeriod", num(m, "backup_retention_period"))
	d.opt("PreferredBackupWindow", str(m, "preferred_backup_window"))
	d.opt("PreferredMaintenanceWindow", str(m, "preferred_maintenance_window"))
	d.boolean("StorageEncrypted", boolean(m, "storage_encrypted"))
	d.opt("KmsKeyId", str(m, "kms_key_id"))
	d.opt("StorageType", str(m, "storage_type"))
	d.boolean("DeletionProtection", boolean(m, "deletion_protection"))
	d.boolean("CopyTagsToSnapshot", boolean(m, "copy_tags_to_snapshot"))
	d.boolean("IAMDatabaseAuthenticationEnabled", boolean(m, "iam_database_authentication_enabled"))
	d.text("Endpoint", name+".cluster-c0awssim."+c.region+".rds.amazonaws.com")
	d.text("ReaderEndpoint", name+".cluster-ro-c0awssim."+c.region+".rds.amazonaws.com")
	d.text("HostedZoneId", "Z2R2ITUGPM61AM")
	d.opt("NetworkType", str(m, "network_type"))
	d.open("DBClusterMembers")
	for i, id := range strs(m, "cluster_members") {
		d.open("DBClusterMember")
		d.text("DBInstanceIdentifier", id)
		d.boolean("IsClusterWriter", i == 0)
		d.close("DBClusterMember")
	}
	d.close("DBClusterMembers")
	members(d, "EnabledCloudwatchLogsExports", "member", strs(m, "enabled_cloudwatch_logs_exports"))
	d.text("ClusterCreateTime", created)
	queryTags(d, "TagList", "Tag", m)
}

func renderDBSubnetGroup(c *call, d *doc, m map[string]any) {
	name := str(m, "id")
	d.text("DBSubnetGroupName", name)
	d.text("DBSubnetGroupDescription", str(m, "description"))
	d.text("DBSubnetGroupArn", rdsARN(c, "subgrp", name))
	d.text("VpcId", str(m, "vpc_id"))
	d.text("SubnetGroupStatus", "Complete")
	d.open("Subnets")
	for _, s := range strs(m, "subnet_ids") {
		d.open("Subnet")
		d.text("SubnetIdentifier", s)
		d.text("SubnetStatus", "Active")
		d.close("Subnet")
	}
	d.close("Subnets")
	members(d, "SupportedNetworkTypes", "member", strs(m, "supported_network_types"))
}

// rdsTags answers ListTagsForResource for a subnet group, instance or
// cluster ARN.
func (h *handler) rdsTags(rw http.ResponseWriter, c *call) {
	arn := c.r.Form.Get("ResourceName")
	parts := strings.Split(arn, ":")
	if len(parts) != 7 {
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidParameterValue", "Invalid resource name: "+arn)
		return
	}
	typ, key := map[string]string{"subgrp": "aws_db_subnet_group", "db": "aws_db_instance", "cluster": "aws_rds_cluster"}[parts[5]],
		map[string]string{"subgrp": "id", "db": "identifier", "cluster": "id"}[parts[5]]
	for _, m := range h.rdsFilter(c, typ, key, parts[6]) {
		queryResult(rw, rdsNS, "ListTagsForResource", func(d *doc) { queryTags(d, "TagList", "Tag", m) })
		return
	}
	queryError(rw, http.StatusNotFound, "Sender", "DBInstanceNotFound", "Resource "+arn+" not found.")
}
