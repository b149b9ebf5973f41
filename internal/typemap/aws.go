package typemap

import "strings"

// IDForm pairs the form of a Cloud Control identifier with the form of the
// Terraform id it stands for. Placeholders are shared between the two; one
// missing from the identifier is read from the resource's properties
// (Terraform to Cloud Control: from its attributes), and {account},
// {region} and {partition} come from the scope.
type IDForm struct {
	Identifier, Terraform Pattern
}

// AWSType maps one CloudFormation resource type, as the Cloud Control API
// lists it, onto the Terraform aws provider.
type AWSType struct {
	// CloudFormation is the type name, e.g. "AWS::EC2::Instance".
	CloudFormation string
	// Terraform is the resource type, e.g. "aws_instance".
	Terraform string
	// Global types are listed once per account (IAM, Route 53,
	// CloudFront, S3 buckets), not in every region.
	Global bool
	// IDs are tried in order; none (or none matching) means the
	// identifier is the Terraform id.
	IDs []IDForm
}

// TerraformID turns a Cloud Control identifier (and the properties listed
// with it) into the Terraform id.
func (t AWSType) TerraformID(identifier string, props map[string]any, account, region string) string {
	for _, f := range t.IDs {
		vars, ok := f.Identifier.Match(identifier)
		if !ok {
			continue
		}
		if id, ok := f.Terraform.Fill(lookups(fromStrings(vars), fromAny(props), scopeVars(account, region))); ok {
			return id
		}
	}
	return identifier
}

// Identifier turns a Terraform id (and the resource's attributes) into the
// Cloud Control identifier, with the properties the identifier leaves out
// but the Terraform id needs (what TerraformID reads back).
func (t AWSType) Identifier(id string, attrs map[string]any, account, region string) (string, map[string]string) {
	for _, f := range t.IDs {
		vars, ok := f.Terraform.Match(id)
		if !ok {
			continue
		}
		ident, ok := f.Identifier.Fill(lookups(fromStrings(vars), fromAny(attrs), scopeVars(account, region)))
		if !ok {
			continue
		}
		props := map[string]string{}
		inIdent := map[string]bool{}
		for _, v := range f.Identifier.Vars() {
			inIdent[v] = true
		}
		for k, v := range vars {
			if !inIdent[k] && !isScopeVar(k) {
				props[k] = v
			}
		}
		return ident, props
	}
	return id, nil
}

func scopeVars(account, region string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		switch k {
		case "account":
			return account, account != ""
		case "region":
			return region, region != ""
		case "partition":
			return "aws", true
		}
		return "", false
	}
}

func isScopeVar(k string) bool { return k == "account" || k == "region" || k == "partition" }

// nameToARN: Cloud Control identifies the resource by name, Terraform by
// ARN.
func nameToARN(arn Pattern) []IDForm { return []IDForm{{Identifier: "{name}", Terraform: arn}} }

// arnToName: Cloud Control identifies the resource by ARN, Terraform by
// name (or id).
func arnToName(arn Pattern) []IDForm { return []IDForm{{Identifier: arn, Terraform: "{name}"}} }

// AWSTypes is the Cloud Control table: every type the generic tier lists.
// Types whose list handler needs a parent (ResourceModel) are left out.
var AWSTypes = []AWSType{
	// EC2 and VPC
	{CloudFormation: "AWS::EC2::Instance", Terraform: "aws_instance"},
	{CloudFormation: "AWS::EC2::Volume", Terraform: "aws_ebs_volume"},
	{CloudFormation: "AWS::EC2::SecurityGroup", Terraform: "aws_security_group"},
	{CloudFormation: "AWS::EC2::VPC", Terraform: "aws_vpc"},
	{CloudFormation: "AWS::EC2::Subnet", Terraform: "aws_subnet"},
	{CloudFormation: "AWS::EC2::RouteTable", Terraform: "aws_route_table"},
	{CloudFormation: "AWS::EC2::InternetGateway", Terraform: "aws_internet_gateway"},
	{CloudFormation: "AWS::EC2::NatGateway", Terraform: "aws_nat_gateway"},
	{CloudFormation: "AWS::EC2::EIP", Terraform: "aws_eip",
		IDs: []IDForm{{Identifier: "{public_ip}|{id}", Terraform: "{id}"}}},
	{CloudFormation: "AWS::EC2::NetworkAcl", Terraform: "aws_network_acl"},
	{CloudFormation: "AWS::EC2::VPCEndpoint", Terraform: "aws_vpc_endpoint"},
	{CloudFormation: "AWS::EC2::KeyPair", Terraform: "aws_key_pair"},
	{CloudFormation: "AWS::EC2::LaunchTemplate", Terraform: "aws_launch_template"},
	{CloudFormation: "AWS::EC2::NetworkInterface", Terraform: "aws_network_interface"},
	{CloudFormation: "AWS::EC2::FlowLog", Terraform: "aws_flow_log"},
	{CloudFormation: "AWS::EC2::TransitGateway", Terraform: "aws_ec2_transit_gateway"},
	{CloudFormation: "AWS::EC2::TransitGatewayAttachment", Terraform: "aws_ec2_transit_gateway_vpc_attachment"},
	{CloudFormation: "AWS::EC2::TransitGatewayRouteTable", Terraform: "aws_ec2_transit_gateway_route_table"},
	{CloudFormation: "AWS::EC2::VPCPeeringConnection", Terraform: "aws_vpc_peering_connection"},
	{CloudFormation: "AWS::EC2::CustomerGateway", Terraform: "aws_customer_gateway"},
	{CloudFormation: "AWS::EC2::VPNGateway", Terraform: "aws_vpn_gateway"},
	{CloudFormation: "AWS::EC2::VPNConnection", Terraform: "aws_vpn_connection"},
	{CloudFormation: "AWS::EC2::DHCPOptions", Terraform: "aws_vpc_dhcp_options"},
	{CloudFormation: "AWS::EC2::EgressOnlyInternetGateway", Terraform: "aws_egress_only_internet_gateway"},
	{CloudFormation: "AWS::EC2::PlacementGroup", Terraform: "aws_placement_group"},
	{CloudFormation: "AWS::EC2::PrefixList", Terraform: "aws_ec2_managed_prefix_list"},
	{CloudFormation: "AWS::EC2::CarrierGateway", Terraform: "aws_ec2_carrier_gateway"},
	{CloudFormation: "AWS::EC2::Host", Terraform: "aws_ec2_host"},
	{CloudFormation: "AWS::EC2::CapacityReservation", Terraform: "aws_ec2_capacity_reservation"},
	{CloudFormation: "AWS::EC2::EC2Fleet", Terraform: "aws_ec2_fleet"},
	{CloudFormation: "AWS::EC2::SpotFleet", Terraform: "aws_spot_fleet_request"},
	{CloudFormation: "AWS::EC2::VPCEndpointService", Terraform: "aws_vpc_endpoint_service"},
	{CloudFormation: "AWS::EC2::IPAM", Terraform: "aws_vpc_ipam"},
	{CloudFormation: "AWS::EC2::SubnetRouteTableAssociation", Terraform: "aws_route_table_association"},
	// Load balancing and auto scaling
	{CloudFormation: "AWS::ElasticLoadBalancingV2::LoadBalancer", Terraform: "aws_lb"},
	{CloudFormation: "AWS::ElasticLoadBalancingV2::TargetGroup", Terraform: "aws_lb_target_group"},
	{CloudFormation: "AWS::ElasticLoadBalancingV2::Listener", Terraform: "aws_lb_listener"},
	{CloudFormation: "AWS::AutoScaling::AutoScalingGroup", Terraform: "aws_autoscaling_group"},
	{CloudFormation: "AWS::AutoScaling::LaunchConfiguration", Terraform: "aws_launch_configuration"},
	{CloudFormation: "AWS::GlobalAccelerator::Accelerator", Terraform: "aws_globalaccelerator_accelerator", Global: true},
	// IAM and security
	{CloudFormation: "AWS::IAM::Role", Terraform: "aws_iam_role", Global: true},
	{CloudFormation: "AWS::IAM::User", Terraform: "aws_iam_user", Global: true},
	{CloudFormation: "AWS::IAM::Group", Terraform: "aws_iam_group", Global: true},
	{CloudFormation: "AWS::IAM::ManagedPolicy", Terraform: "aws_iam_policy", Global: true},
	{CloudFormation: "AWS::IAM::InstanceProfile", Terraform: "aws_iam_instance_profile", Global: true},
	{CloudFormation: "AWS::IAM::OIDCProvider", Terraform: "aws_iam_openid_connect_provider", Global: true},
	{CloudFormation: "AWS::IAM::SAMLProvider", Terraform: "aws_iam_saml_provider", Global: true},
	{CloudFormation: "AWS::KMS::Key", Terraform: "aws_kms_key"},
	{CloudFormation: "AWS::KMS::Alias", Terraform: "aws_kms_alias"},
	{CloudFormation: "AWS::KMS::ReplicaKey", Terraform: "aws_kms_replica_key"},
	{CloudFormation: "AWS::SecretsManager::Secret", Terraform: "aws_secretsmanager_secret"},
	{CloudFormation: "AWS::CertificateManager::Certificate", Terraform: "aws_acm_certificate"},
	{CloudFormation: "AWS::ACMPCA::CertificateAuthority", Terraform: "aws_acmpca_certificate_authority"},
	{CloudFormation: "AWS::GuardDuty::Detector", Terraform: "aws_guardduty_detector"},
	{CloudFormation: "AWS::Detective::Graph", Terraform: "aws_detective_graph"},
	{CloudFormation: "AWS::AccessAnalyzer::Analyzer", Terraform: "aws_accessanalyzer_analyzer",
		IDs: arnToName("arn:{partition}:access-analyzer:{region}:{account}:analyzer/{name}")},
	{CloudFormation: "AWS::NetworkFirewall::Firewall", Terraform: "aws_networkfirewall_firewall"},
	{CloudFormation: "AWS::NetworkFirewall::FirewallPolicy", Terraform: "aws_networkfirewall_firewall_policy"},
	{CloudFormation: "AWS::NetworkFirewall::RuleGroup", Terraform: "aws_networkfirewall_rule_group"},
	{CloudFormation: "AWS::Config::ConfigRule", Terraform: "aws_config_config_rule"},
	{CloudFormation: "AWS::Cognito::UserPool", Terraform: "aws_cognito_user_pool"},
	{CloudFormation: "AWS::Cognito::IdentityPool", Terraform: "aws_cognito_identity_pool"},
	// Storage and databases
	{CloudFormation: "AWS::S3::Bucket", Terraform: "aws_s3_bucket", Global: true},
	{CloudFormation: "AWS::EFS::FileSystem", Terraform: "aws_efs_file_system"},
	{CloudFormation: "AWS::EFS::AccessPoint", Terraform: "aws_efs_access_point"},
	{CloudFormation: "AWS::Backup::BackupVault", Terraform: "aws_backup_vault"},
	{CloudFormation: "AWS::Backup::BackupPlan", Terraform: "aws_backup_plan"},
	{CloudFormation: "AWS::DynamoDB::Table", Terraform: "aws_dynamodb_table"},
	{CloudFormation: "AWS::RDS::DBInstance", Terraform: "aws_db_instance",
		// Terraform (aws provider v5+) identifies an instance by its
		// resource id, Cloud Control by its name.
		IDs: []IDForm{{Identifier: "{identifier}", Terraform: "{DbiResourceId}"}}},
	{CloudFormation: "AWS::RDS::DBCluster", Terraform: "aws_rds_cluster"},
	{CloudFormation: "AWS::RDS::DBSubnetGroup", Terraform: "aws_db_subnet_group"},
	{CloudFormation: "AWS::RDS::DBParameterGroup", Terraform: "aws_db_parameter_group"},
	{CloudFormation: "AWS::RDS::DBClusterParameterGroup", Terraform: "aws_rds_cluster_parameter_group"},
	{CloudFormation: "AWS::RDS::OptionGroup", Terraform: "aws_db_option_group"},
	{CloudFormation: "AWS::RDS::DBProxy", Terraform: "aws_db_proxy"},
	{CloudFormation: "AWS::RDS::EventSubscription", Terraform: "aws_db_event_subscription"},
	{CloudFormation: "AWS::ElastiCache::ReplicationGroup", Terraform: "aws_elasticache_replication_group"},
	{CloudFormation: "AWS::ElastiCache::SubnetGroup", Terraform: "aws_elasticache_subnet_group"},
	{CloudFormation: "AWS::ElastiCache::ParameterGroup", Terraform: "aws_elasticache_parameter_group"},
	{CloudFormation: "AWS::MemoryDB::Cluster", Terraform: "aws_memorydb_cluster"},
	{CloudFormation: "AWS::Redshift::Cluster", Terraform: "aws_redshift_cluster"},
	{CloudFormation: "AWS::OpenSearchService::Domain", Terraform: "aws_opensearch_domain",
		IDs: nameToARN("arn:{partition}:es:{region}:{account}:domain/{name}")},
	{CloudFormation: "AWS::Cassandra::Keyspace", Terraform: "aws_keyspaces_keyspace"},
	{CloudFormation: "AWS::Timestream::Database", Terraform: "aws_timestreamwrite_database"},
	// Compute, containers and serverless
	{CloudFormation: "AWS::Lambda::Function", Terraform: "aws_lambda_function"},
	{CloudFormation: "AWS::Lambda::EventSourceMapping", Terraform: "aws_lambda_event_source_mapping"},
	{CloudFormation: "AWS::Lambda::LayerVersion", Terraform: "aws_lambda_layer_version"},
	{CloudFormation: "AWS::ECS::Cluster", Terraform: "aws_ecs_cluster",
		IDs: nameToARN("arn:{partition}:ecs:{region}:{account}:cluster/{name}")},
	{CloudFormation: "AWS::ECS::Service", Terraform: "aws_ecs_service",
		IDs: []IDForm{{Identifier: "{id}|{cluster}", Terraform: "{id}"}}},
	{CloudFormation: "AWS::ECS::TaskDefinition", Terraform: "aws_ecs_task_definition",
		IDs: []IDForm{{Identifier: "arn:{partition}:ecs:{region}:{account}:task-definition/{name}:{revision}", Terraform: "{name}"}}},
	{CloudFormation: "AWS::ECS::CapacityProvider", Terraform: "aws_ecs_capacity_provider",
		IDs: nameToARN("arn:{partition}:ecs:{region}:{account}:capacity-provider/{name}")},
	{CloudFormation: "AWS::ECR::Repository", Terraform: "aws_ecr_repository"},
	{CloudFormation: "AWS::EKS::Cluster", Terraform: "aws_eks_cluster"},
	{CloudFormation: "AWS::Batch::ComputeEnvironment", Terraform: "aws_batch_compute_environment",
		IDs: arnToName("arn:{partition}:batch:{region}:{account}:compute-environment/{name}")},
	{CloudFormation: "AWS::Batch::JobQueue", Terraform: "aws_batch_job_queue"},
	{CloudFormation: "AWS::AppRunner::Service", Terraform: "aws_apprunner_service"},
	{CloudFormation: "AWS::Lightsail::Instance", Terraform: "aws_lightsail_instance"},
	{CloudFormation: "AWS::ElasticBeanstalk::Application", Terraform: "aws_elastic_beanstalk_application"},
	{CloudFormation: "AWS::EMRServerless::Application", Terraform: "aws_emrserverless_application"},
	{CloudFormation: "AWS::ImageBuilder::Component", Terraform: "aws_imagebuilder_component"},
	{CloudFormation: "AWS::ImageBuilder::ImageRecipe", Terraform: "aws_imagebuilder_image_recipe"},
	{CloudFormation: "AWS::ImageBuilder::ImagePipeline", Terraform: "aws_imagebuilder_image_pipeline"},
	{CloudFormation: "AWS::ImageBuilder::InfrastructureConfiguration", Terraform: "aws_imagebuilder_infrastructure_configuration"},
	// Messaging, events and integration
	{CloudFormation: "AWS::SQS::Queue", Terraform: "aws_sqs_queue"},
	{CloudFormation: "AWS::SNS::Topic", Terraform: "aws_sns_topic"},
	{CloudFormation: "AWS::Events::Rule", Terraform: "aws_cloudwatch_event_rule",
		// Terraform names a rule on a custom bus "bus|name".
		IDs: []IDForm{
			{Identifier: "arn:{partition}:events:{region}:{account}:rule/{bus}/{name}", Terraform: "{bus}|{name}"},
			{Identifier: "arn:{partition}:events:{region}:{account}:rule/{name}", Terraform: "{name}"},
		}},
	{CloudFormation: "AWS::Events::EventBus", Terraform: "aws_cloudwatch_event_bus"},
	{CloudFormation: "AWS::Events::Archive", Terraform: "aws_cloudwatch_event_archive"},
	{CloudFormation: "AWS::Events::Connection", Terraform: "aws_cloudwatch_event_connection"},
	{CloudFormation: "AWS::Events::ApiDestination", Terraform: "aws_cloudwatch_event_api_destination"},
	{CloudFormation: "AWS::EventSchemas::Registry", Terraform: "aws_schemas_registry",
		IDs: arnToName("arn:{partition}:schemas:{region}:{account}:registry/{name}")},
	{CloudFormation: "AWS::Pipes::Pipe", Terraform: "aws_pipes_pipe"},
	{CloudFormation: "AWS::StepFunctions::StateMachine", Terraform: "aws_sfn_state_machine"},
	{CloudFormation: "AWS::StepFunctions::Activity", Terraform: "aws_sfn_activity"},
	{CloudFormation: "AWS::Kinesis::Stream", Terraform: "aws_kinesis_stream",
		IDs: nameToARN("arn:{partition}:kinesis:{region}:{account}:stream/{name}")},
	{CloudFormation: "AWS::KinesisFirehose::DeliveryStream", Terraform: "aws_kinesis_firehose_delivery_stream",
		IDs: nameToARN("arn:{partition}:firehose:{region}:{account}:deliverystream/{name}")},
	{CloudFormation: "AWS::MSK::Cluster", Terraform: "aws_msk_cluster"},
	{CloudFormation: "AWS::AppSync::GraphQLApi", Terraform: "aws_appsync_graphql_api",
		IDs: arnToName("arn:{partition}:appsync:{region}:{account}:apis/{name}")},
	{CloudFormation: "AWS::SES::ConfigurationSet", Terraform: "aws_sesv2_configuration_set"},
	{CloudFormation: "AWS::SES::EmailIdentity", Terraform: "aws_sesv2_email_identity"},
	{CloudFormation: "AWS::SES::ContactList", Terraform: "aws_sesv2_contact_list"},
	{CloudFormation: "AWS::IoT::Thing", Terraform: "aws_iot_thing"},
	{CloudFormation: "AWS::IoT::Policy", Terraform: "aws_iot_policy"},
	{CloudFormation: "AWS::IoT::TopicRule", Terraform: "aws_iot_topic_rule"},
	{CloudFormation: "AWS::DataSync::Task", Terraform: "aws_datasync_task"},
	{CloudFormation: "AWS::Transfer::Server", Terraform: "aws_transfer_server",
		IDs: arnToName("arn:{partition}:transfer:{region}:{account}:server/{name}")},
	// API Gateway
	{CloudFormation: "AWS::ApiGateway::RestApi", Terraform: "aws_api_gateway_rest_api"},
	{CloudFormation: "AWS::ApiGateway::DomainName", Terraform: "aws_api_gateway_domain_name"},
	{CloudFormation: "AWS::ApiGateway::ApiKey", Terraform: "aws_api_gateway_api_key"},
	{CloudFormation: "AWS::ApiGateway::UsagePlan", Terraform: "aws_api_gateway_usage_plan"},
	{CloudFormation: "AWS::ApiGateway::VpcLink", Terraform: "aws_api_gateway_vpc_link"},
	{CloudFormation: "AWS::ApiGateway::ClientCertificate", Terraform: "aws_api_gateway_client_certificate"},
	{CloudFormation: "AWS::ApiGatewayV2::Api", Terraform: "aws_apigatewayv2_api"},
	{CloudFormation: "AWS::ApiGatewayV2::VpcLink", Terraform: "aws_apigatewayv2_vpc_link"},
	{CloudFormation: "AWS::ApiGatewayV2::DomainName", Terraform: "aws_apigatewayv2_domain_name"},
	// Monitoring and management
	{CloudFormation: "AWS::Logs::LogGroup", Terraform: "aws_cloudwatch_log_group"},
	{CloudFormation: "AWS::Logs::Destination", Terraform: "aws_cloudwatch_log_destination"},
	{CloudFormation: "AWS::CloudWatch::Alarm", Terraform: "aws_cloudwatch_metric_alarm"},
	{CloudFormation: "AWS::CloudWatch::CompositeAlarm", Terraform: "aws_cloudwatch_composite_alarm"},
	{CloudFormation: "AWS::CloudWatch::Dashboard", Terraform: "aws_cloudwatch_dashboard"},
	{CloudFormation: "AWS::CloudWatch::MetricStream", Terraform: "aws_cloudwatch_metric_stream"},
	{CloudFormation: "AWS::CloudTrail::Trail", Terraform: "aws_cloudtrail"},
	{CloudFormation: "AWS::SSM::Parameter", Terraform: "aws_ssm_parameter"},
	{CloudFormation: "AWS::SSM::Document", Terraform: "aws_ssm_document"},
	{CloudFormation: "AWS::SSM::Association", Terraform: "aws_ssm_association"},
	{CloudFormation: "AWS::SSM::MaintenanceWindow", Terraform: "aws_ssm_maintenance_window"},
	{CloudFormation: "AWS::SSM::PatchBaseline", Terraform: "aws_ssm_patch_baseline"},
	{CloudFormation: "AWS::Synthetics::Canary", Terraform: "aws_synthetics_canary"},
	{CloudFormation: "AWS::XRay::Group", Terraform: "aws_xray_group"},
	{CloudFormation: "AWS::XRay::SamplingRule", Terraform: "aws_xray_sampling_rule",
		IDs: arnToName("arn:{partition}:xray:{region}:{account}:sampling-rule/{name}")},
	{CloudFormation: "AWS::CloudFormation::Stack", Terraform: "aws_cloudformation_stack"},
	{CloudFormation: "AWS::CE::AnomalyMonitor", Terraform: "aws_ce_anomaly_monitor"},
	// Analytics and developer tools
	{CloudFormation: "AWS::Athena::WorkGroup", Terraform: "aws_athena_workgroup"},
	{CloudFormation: "AWS::Athena::DataCatalog", Terraform: "aws_athena_data_catalog"},
	{CloudFormation: "AWS::Athena::NamedQuery", Terraform: "aws_athena_named_query"},
	{CloudFormation: "AWS::CodeBuild::Project", Terraform: "aws_codebuild_project"},
	{CloudFormation: "AWS::CodePipeline::Pipeline", Terraform: "aws_codepipeline"},
	{CloudFormation: "AWS::CodeArtifact::Domain", Terraform: "aws_codeartifact_domain"},
	{CloudFormation: "AWS::CodeArtifact::Repository", Terraform: "aws_codeartifact_repository"},
	{CloudFormation: "AWS::CodeStarConnections::Connection", Terraform: "aws_codestarconnections_connection"},
	{CloudFormation: "AWS::Amplify::App", Terraform: "aws_amplify_app",
		IDs: arnToName("arn:{partition}:amplify:{region}:{account}:apps/{name}")},
	{CloudFormation: "AWS::AppConfig::Application", Terraform: "aws_appconfig_application"},
	{CloudFormation: "AWS::Location::Map", Terraform: "aws_location_map"},
	// DNS and content delivery
	{CloudFormation: "AWS::Route53::HostedZone", Terraform: "aws_route53_zone", Global: true},
	{CloudFormation: "AWS::Route53::HealthCheck", Terraform: "aws_route53_health_check", Global: true},
	{CloudFormation: "AWS::Route53Resolver::ResolverEndpoint", Terraform: "aws_route53_resolver_endpoint"},
	{CloudFormation: "AWS::Route53Resolver::ResolverRule", Terraform: "aws_route53_resolver_rule"},
	{CloudFormation: "AWS::Route53Resolver::FirewallDomainList", Terraform: "aws_route53_resolver_firewall_domain_list"},
	{CloudFormation: "AWS::CloudFront::Distribution", Terraform: "aws_cloudfront_distribution", Global: true},
	{CloudFormation: "AWS::CloudFront::OriginAccessControl", Terraform: "aws_cloudfront_origin_access_control", Global: true},
	{CloudFormation: "AWS::CloudFront::CachePolicy", Terraform: "aws_cloudfront_cache_policy", Global: true},
	{CloudFormation: "AWS::CloudFront::Function", Terraform: "aws_cloudfront_function", Global: true,
		IDs: arnToName("arn:{partition}:cloudfront::{account}:function/{name}")},
	{CloudFormation: "AWS::ServiceDiscovery::PrivateDnsNamespace", Terraform: "aws_service_discovery_private_dns_namespace"},
}

var (
	awsByCFN = map[string]AWSType{}
	awsByTF  = map[string]AWSType{}
)

func init() {
	for _, t := range AWSTypes {
		awsByCFN[strings.ToLower(t.CloudFormation)] = t
		awsByTF[t.Terraform] = t
	}
}

// AWSByCloudFormation finds a type by its CloudFormation name (any case).
func AWSByCloudFormation(name string) (AWSType, bool) {
	t, ok := awsByCFN[strings.ToLower(name)]
	return t, ok
}

// AWSByTerraform finds a type by its Terraform name.
func AWSByTerraform(name string) (AWSType, bool) {
	t, ok := awsByTF[name]
	return t, ok
}
