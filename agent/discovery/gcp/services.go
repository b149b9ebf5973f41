package gcp

import (
	"context"
	"strings"

	kms "google.golang.org/api/cloudkms/v1"
	crm "google.golang.org/api/cloudresourcemanager/v1"
	container "google.golang.org/api/container/v1"
	dns "google.golang.org/api/dns/v1"
	iam "google.golang.org/api/iam/v1"
	pubsub "google.golang.org/api/pubsub/v1"
	sqladmin "google.golang.org/api/sqladmin/v1"
	storage "google.golang.org/api/storage/v1"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) serviceListers() []*lister {
	return []*lister{
		{p: p, service: "storage", types: []string{"google_storage_bucket"}, list: p.listBuckets},
		{p: p, service: "iam", types: []string{"google_service_account"}, list: p.listServiceAccounts},
		{p: p, service: "cloudresourcemanager", types: []string{"google_project_iam_member"}, list: p.listIAMMembers},
		{p: p, service: "dns", types: []string{"google_dns_managed_zone", "google_dns_record_set"}, list: p.listDNS},
		{p: p, service: "pubsub", types: []string{"google_pubsub_topic"}, list: p.listTopics},
		{p: p, service: "pubsub", types: []string{"google_pubsub_subscription"}, list: p.listSubscriptions},
		{p: p, service: "cloudkms", types: []string{"google_kms_key_ring", "google_kms_crypto_key"}, list: p.listKMS},
		{p: p, service: "sqladmin", types: []string{"google_sql_database_instance"}, list: p.listSQL},
		{p: p, service: "container", types: []string{"google_container_cluster"}, list: p.listClusters},
	}
}

func (p *provider) listBuckets(ctx context.Context, project string, emit func(resource.Resource)) error {
	opts, err := p.clientOptions(ctx, "storage")
	if err != nil {
		return err
	}
	svc, err := storage.NewService(ctx, opts...)
	if err != nil {
		return err
	}
	call := svc.Buckets.List(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *storage.Buckets) error {
		for _, b := range l.Items {
			emit(bucket(project, b))
		}
		return nil
	})
}

func bucket(project string, b *storage.Bucket) resource.Resource {
	ubla, pap := false, ""
	if ic := b.IamConfiguration; ic != nil {
		pap = ic.PublicAccessPrevention
		if ic.UniformBucketLevelAccess != nil {
			ubla = ic.UniformBucketLevelAccess.Enabled
		}
	}
	versioning := []any{}
	if b.Versioning != nil {
		versioning = list(map[string]any{"enabled": b.Versioning.Enabled})
	}
	retention := []any{}
	if rp := b.RetentionPolicy; rp != nil {
		retention = list(map[string]any{"retention_period": float64(rp.RetentionPeriod), "is_locked": rp.IsLocked})
	}
	logging := []any{}
	if lg := b.Logging; lg != nil {
		logging = list(map[string]any{"log_bucket": lg.LogBucket, "log_object_prefix": lg.LogObjectPrefix})
	}
	website := []any{}
	if ws := b.Website; ws != nil {
		website = list(map[string]any{"main_page_suffix": ws.MainPageSuffix, "not_found_page": ws.NotFoundPage})
	}
	rules := []any{}
	if b.Lifecycle != nil {
		for _, r := range b.Lifecycle.Rule {
			cond := map[string]any{}
			if c := r.Condition; c != nil {
				state := "ANY"
				if c.IsLive != nil {
					state = map[bool]string{true: "LIVE", false: "ARCHIVED"}[*c.IsLive]
				}
				age := 0.0
				if c.Age != nil {
					age = float64(*c.Age)
				}
				cond = map[string]any{"age": age, "created_before": c.CreatedBefore, "with_state": state,
					"num_newer_versions":    float64(c.NumNewerVersions),
					"matches_storage_class": strs(c.MatchesStorageClass), "matches_prefix": strs(c.MatchesPrefix)}
			}
			act := map[string]any{}
			if r.Action != nil {
				act = map[string]any{"type": r.Action.Type, "storage_class": r.Action.StorageClass}
			}
			rules = append(rules, map[string]any{"action": list(act), "condition": list(cond)})
		}
	}
	requesterPays := b.Billing != nil && b.Billing.RequesterPays
	return resource.Resource{Provider: "google", Type: "google_storage_bucket", ID: b.Name, Account: project,
		Region: strings.ToLower(b.Location), Tags: tags(b.Labels),
		Attrs: map[string]any{
			"id": b.Name, "name": b.Name, "project": project, "location": b.Location,
			"storage_class": b.StorageClass, "labels": labels(b.Labels), "rpo": b.Rpo,
			"uniform_bucket_level_access": ubla, "public_access_prevention": pap,
			"versioning": versioning, "retention_policy": retention, "logging": logging, "website": website,
			"lifecycle_rule": rules, "default_event_based_hold": b.DefaultEventBasedHold,
			"requester_pays": requesterPays, "self_link": b.SelfLink, "url": "gs://" + b.Name,
		}}
}

func (p *provider) listServiceAccounts(ctx context.Context, project string, emit func(resource.Resource)) error {
	opts, err := p.clientOptions(ctx, "iam")
	if err != nil {
		return err
	}
	svc, err := iam.NewService(ctx, opts...)
	if err != nil {
		return err
	}
	call := svc.Projects.ServiceAccounts.List("projects/" + project)
	if p.opts.PageSize > 0 {
		call.PageSize(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *iam.ListServiceAccountsResponse) error {
		for _, sa := range l.Accounts {
			id := "projects/" + project + "/serviceAccounts/" + sa.Email
			accountID, _, _ := strings.Cut(sa.Email, "@")
			emit(resource.Resource{Provider: "google", Type: "google_service_account", ID: id, Account: project,
				Attrs: map[string]any{
					"id": id, "name": sa.Name, "project": project, "account_id": accountID, "email": sa.Email,
					"display_name": sa.DisplayName, "description": sa.Description, "disabled": sa.Disabled,
					"member": "serviceAccount:" + sa.Email, "unique_id": sa.UniqueId,
				}})
		}
		return nil
	})
}

// listIAMMembers emits one google_project_iam_member per member of each
// binding of the project's IAM policy, with the id Terraform gives it:
// PROJECT/ROLE/MEMBER (plus /TITLE for a conditional binding).
func (p *provider) listIAMMembers(ctx context.Context, project string, emit func(resource.Resource)) error {
	opts, err := p.clientOptions(ctx, "cloudresourcemanager")
	if err != nil {
		return err
	}
	svc, err := crm.NewService(ctx, opts...)
	if err != nil {
		return err
	}
	pol, err := svc.Projects.GetIamPolicy(project, &crm.GetIamPolicyRequest{
		Options: &crm.GetPolicyOptions{RequestedPolicyVersion: 3}}).Context(ctx).Do()
	if err != nil {
		return err
	}
	for _, b := range pol.Bindings {
		for _, m := range b.Members {
			id := project + "/" + b.Role + "/" + m
			cond := []any{}
			if c := b.Condition; c != nil {
				id += "/" + c.Title
				cond = list(map[string]any{"title": c.Title, "expression": c.Expression, "description": c.Description})
			}
			emit(resource.Resource{Provider: "google", Type: "google_project_iam_member", ID: id, Account: project,
				Attrs: map[string]any{"id": id, "project": project, "role": b.Role, "member": m,
					"condition": cond, "etag": pol.Etag}})
		}
	}
	return nil
}

func (p *provider) listDNS(ctx context.Context, project string, emit func(resource.Resource)) error {
	opts, err := p.clientOptions(ctx, "dns")
	if err != nil {
		return err
	}
	svc, err := dns.NewService(ctx, opts...)
	if err != nil {
		return err
	}
	var zones []string
	call := svc.ManagedZones.List(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	err = call.Pages(ctx, func(l *dns.ManagedZonesListResponse) error {
		for _, z := range l.ManagedZones {
			zones = append(zones, z.Name)
			id := "projects/" + project + "/managedZones/" + z.Name
			pvc := []any{}
			if c := z.PrivateVisibilityConfig; c != nil {
				nets := []any{}
				for _, n := range c.Networks {
					nets = append(nets, map[string]any{"network_url": n.NetworkUrl})
				}
				pvc = list(map[string]any{"networks": nets})
			}
			emit(resource.Resource{Provider: "google", Type: "google_dns_managed_zone", ID: id, Account: project,
				Tags: tags(z.Labels),
				Attrs: map[string]any{
					"id": id, "name": z.Name, "project": project, "dns_name": z.DnsName,
					"description": z.Description, "visibility": z.Visibility, "labels": labels(z.Labels),
					"name_servers": strs(z.NameServers), "managed_zone_id": float64(z.Id),
					"creation_time": z.CreationTime, "private_visibility_config": pvc,
				}})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, zone := range zones {
		call := svc.ResourceRecordSets.List(project, zone)
		if p.opts.PageSize > 0 {
			call.MaxResults(p.opts.PageSize)
		}
		err := call.Pages(ctx, func(l *dns.ResourceRecordSetsListResponse) error {
			for _, rr := range l.Rrsets {
				id := "projects/" + project + "/managedZones/" + zone + "/rrsets/" + rr.Name + "/" + rr.Type
				emit(resource.Resource{Provider: "google", Type: "google_dns_record_set", ID: id, Account: project,
					Attrs: map[string]any{"id": id, "project": project, "managed_zone": zone, "name": rr.Name,
						"type": rr.Type, "ttl": float64(rr.Ttl), "rrdatas": strs(rr.Rrdatas)}})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *provider) pubsubService(ctx context.Context) (*pubsub.Service, error) {
	opts, err := p.clientOptions(ctx, "pubsub")
	if err != nil {
		return nil, err
	}
	return pubsub.NewService(ctx, opts...)
}

func (p *provider) listTopics(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.pubsubService(ctx)
	if err != nil {
		return err
	}
	call := svc.Projects.Topics.List("projects/" + project)
	if p.opts.PageSize > 0 {
		call.PageSize(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *pubsub.ListTopicsResponse) error {
		for _, t := range l.Topics {
			msp := []any{}
			if t.MessageStoragePolicy != nil {
				msp = list(map[string]any{"allowed_persistence_regions": sortedStrs(t.MessageStoragePolicy.AllowedPersistenceRegions)})
			}
			emit(resource.Resource{Provider: "google", Type: "google_pubsub_topic", ID: t.Name, Account: project,
				Tags: tags(t.Labels),
				Attrs: map[string]any{"id": t.Name, "name": last(t.Name), "project": project,
					"labels": labels(t.Labels), "message_retention_duration": t.MessageRetentionDuration,
					"kms_key_name": t.KmsKeyName, "message_storage_policy": msp}})
		}
		return nil
	})
}

func (p *provider) listSubscriptions(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.pubsubService(ctx)
	if err != nil {
		return err
	}
	call := svc.Projects.Subscriptions.List("projects/" + project)
	if p.opts.PageSize > 0 {
		call.PageSize(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *pubsub.ListSubscriptionsResponse) error {
		for _, s := range l.Subscriptions {
			push, exp, dlp, retry := []any{}, []any{}, []any{}, []any{}
			if c := s.PushConfig; c != nil && c.PushEndpoint != "" {
				push = list(map[string]any{"push_endpoint": c.PushEndpoint, "attributes": labels(c.Attributes)})
			}
			if e := s.ExpirationPolicy; e != nil {
				exp = list(map[string]any{"ttl": e.Ttl})
			}
			if d := s.DeadLetterPolicy; d != nil {
				dlp = list(map[string]any{"dead_letter_topic": d.DeadLetterTopic, "max_delivery_attempts": float64(d.MaxDeliveryAttempts)})
			}
			if r := s.RetryPolicy; r != nil {
				retry = list(map[string]any{"minimum_backoff": r.MinimumBackoff, "maximum_backoff": r.MaximumBackoff})
			}
			emit(resource.Resource{Provider: "google", Type: "google_pubsub_subscription", ID: s.Name, Account: project,
				Tags: tags(s.Labels),
				Attrs: map[string]any{"id": s.Name, "name": last(s.Name), "project": project, "topic": s.Topic,
					"ack_deadline_seconds": float64(s.AckDeadlineSeconds), "labels": labels(s.Labels),
					"message_retention_duration": s.MessageRetentionDuration, "retain_acked_messages": s.RetainAckedMessages,
					"enable_message_ordering": s.EnableMessageOrdering, "enable_exactly_once_delivery": s.EnableExactlyOnceDelivery,
					"filter": s.Filter, "push_config": push, "expiration_policy": exp,
					"dead_letter_policy": dlp, "retry_policy": retry}})
		}
		return nil
	})
}

// listKMS walks locations, then key rings, then crypto keys: Cloud KMS
// has no aggregated list.
func (p *provider) listKMS(ctx context.Context, project string, emit func(resource.Resource)) error {
	opts, err := p.clientOptions(ctx, "cloudkms")
	if err != nil {
		return err
	}
	svc, err := kms.NewService(ctx, opts...)
	if err != nil {
		return err
	}
	var locations []string
	lcall := svc.Projects.Locations.List("projects/" + project)
	if p.opts.PageSize > 0 {
		lcall.PageSize(p.opts.PageSize)
	}
	if err := lcall.Pages(ctx, func(l *kms.ListLocationsResponse) error {
		for _, loc := range l.Locations {
			if p.regions == nil || loc.LocationId == "global" || p.regions[loc.LocationId] {
				locations = append(locations, loc.LocationId)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, loc := range locations {
		var rings []string
		rcall := svc.Projects.Locations.KeyRings.List("projects/" + project + "/locations/" + loc)
		if p.opts.PageSize > 0 {
			rcall.PageSize(p.opts.PageSize)
		}
		if err := rcall.Pages(ctx, func(l *kms.ListKeyRingsResponse) error {
			for _, kr := range l.KeyRings {
				rings = append(rings, kr.Name)
				emit(resource.Resource{Provider: "google", Type: "google_kms_key_ring", ID: kr.Name, Account: project,
					Region: loc, Attrs: map[string]any{"id": kr.Name, "name": last(kr.Name), "location": loc, "project": project}})
			}
			return nil
		}); err != nil {
			return err
		}
		for _, ring := range rings {
			kcall := svc.Projects.Locations.KeyRings.CryptoKeys.List(ring)
			if p.opts.PageSize > 0 {
				kcall.PageSize(p.opts.PageSize)
			}
			if err := kcall.Pages(ctx, func(l *kms.ListCryptoKeysResponse) error {
				for _, k := range l.CryptoKeys {
					tmpl := []any{}
					if t := k.VersionTemplate; t != nil {
						tmpl = list(map[string]any{"algorithm": t.Algorithm, "protection_level": t.ProtectionLevel})
					}
					emit(resource.Resource{Provider: "google", Type: "google_kms_crypto_key", ID: k.Name, Account: project,
						Tags: tags(k.Labels),
						Attrs: map[string]any{"id": k.Name, "name": last(k.Name), "key_ring": ring, "purpose": k.Purpose,
							"rotation_period": k.RotationPeriod, "labels": labels(k.Labels), "version_template": tmpl,
							"destroy_scheduled_duration": k.DestroyScheduledDuration, "import_only": k.ImportOnly}})
				}
				return nil
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *provider) listSQL(ctx context.Context, project string, emit func(resource.Resource)) error {
	opts, err := p.clientOptions(ctx, "sqladmin")
	if err != nil {
		return err
	}
	svc, err := sqladmin.NewService(ctx, opts...)
	if err != nil {
		return err
	}
	call := svc.Instances.List(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *sqladmin.InstancesListResponse) error {
		for _, in := range l.Items {
			emit(sqlInstance(project, in))
		}
		return nil
	})
}

func sqlInstance(project string, in *sqladmin.DatabaseInstance) resource.Resource {
	var public, private, first string
	for _, ip := range in.IpAddresses {
		if first == "" {
			first = ip.IpAddress
		}
		switch ip.Type {
		case "PRIMARY":
			public = ip.IpAddress
		case "PRIVATE":
			private = ip.IpAddress
		}
	}
	settings := []any{}
	var userLabels map[string]string
	if s := in.Settings; s != nil {
		userLabels = s.UserLabels
		ipc, backup := []any{}, []any{}
		if c := s.IpConfiguration; c != nil {
			nets := []any{}
			for _, n := range c.AuthorizedNetworks {
				nets = append(nets, map[string]any{"name": n.Name, "value": n.Value, "expiration_time": n.ExpirationTime})
			}
			ipc = list(map[string]any{"ipv4_enabled": c.Ipv4Enabled, "private_network": c.PrivateNetwork,
				"ssl_mode": c.SslMode, "authorized_networks": nets})
		}
		if b := s.BackupConfiguration; b != nil {
			retention := []any{}
			if rs := b.BackupRetentionSettings; rs != nil {
				retention = list(map[string]any{"retained_backups": float64(rs.RetainedBackups), "retention_unit": rs.RetentionUnit})
			}
			backup = list(map[string]any{"enabled": b.Enabled, "start_time": b.StartTime, "location": b.Location,
				"binary_log_enabled": b.BinaryLogEnabled, "point_in_time_recovery_enabled": b.PointInTimeRecoveryEnabled,
				"transaction_log_retention_days": float64(b.TransactionLogRetentionDays), "backup_retention_settings": retention})
		}
		location := []any{}
		if lp := s.LocationPreference; lp != nil {
			location = list(map[string]any{"zone": lp.Zone, "secondary_zone": lp.SecondaryZone,
				"follow_gae_application": lp.FollowGaeApplication})
		}
		autoresize := true
		if s.StorageAutoResize != nil {
			autoresize = *s.StorageAutoResize
		}
		settings = list(map[string]any{"tier": s.Tier, "availability_type": s.AvailabilityType,
			"disk_size": float64(s.DataDiskSizeGb), "disk_type": s.DataDiskType, "disk_autoresize": autoresize,
			"activation_policy": s.ActivationPolicy, "edition": s.Edition, "pricing_plan": s.PricingPlan,
			"version": float64(s.SettingsVersion), "location_preference": location, "user_labels": labels(s.UserLabels),
			"deletion_protection_enabled": s.DeletionProtectionEnabled,
			"ip_configuration":            ipc, "backup_configuration": backup})
	}
	return resource.Resource{Provider: "google", Type: "google_sql_database_instance", ID: in.Name, Account: project,
		Region: in.Region, Tags: tags(userLabels),
		Attrs: map[string]any{"id": in.Name, "name": in.Name, "project": project, "region": in.Region,
			"database_version": in.DatabaseVersion, "connection_name": in.ConnectionName, "self_link": in.SelfLink,
			"first_ip_address": first, "public_ip_address": public, "private_ip_address": private,
			"settings": settings}}
}

func (p *provider) listClusters(ctx context.Context, project string, emit func(resource.Resource)) error {
	opts, err := p.clientOptions(ctx, "container")
	if err != nil {
		return err
	}
	svc, err := container.NewService(ctx, opts...)
	if err != nil {
		return err
	}
	resp, err := svc.Projects.Locations.Clusters.List("projects/" + project + "/locations/-").Context(ctx).Do()
	if err != nil {
		return err
	}
	for _, c := range resp.Clusters {
		id := "projects/" + project + "/locations/" + c.Location + "/clusters/" + c.Name
		network, subnetwork := c.Network, c.Subnetwork
		if nc := c.NetworkConfig; nc != nil {
			network, subnetwork = nc.Network, nc.Subnetwork
		}
		channel, private := []any{}, []any{}
		if rc := c.ReleaseChannel; rc != nil {
			channel = list(map[string]any{"channel": rc.Channel})
		}
		if pc := c.PrivateClusterConfig; pc != nil {
			private = list(map[string]any{"enable_private_nodes": pc.EnablePrivateNodes,
				"enable_private_endpoint": pc.EnablePrivateEndpoint, "master_ipv4_cidr_block": pc.MasterIpv4CidrBlock,
				"private_endpoint": pc.PrivateEndpoint, "public_endpoint": pc.PublicEndpoint})
		}
		autopilot := c.Autopilot != nil && c.Autopilot.Enabled
		emit(resource.Resource{Provider: "google", Type: "google_container_cluster", ID: id, Account: project,
			Region: zoneRegion(c.Location), Tags: tags(c.ResourceLabels),
			Attrs: map[string]any{"id": id, "name": c.Name, "project": project, "location": c.Location,
				"description": c.Description, "network": network, "subnetwork": subnetwork, "endpoint": c.Endpoint,
				"master_version": c.CurrentMasterVersion, "node_version": c.CurrentNodeVersion,
				"resource_labels": labels(c.ResourceLabels), "logging_service": c.LoggingService,
				"monitoring_service": c.MonitoringService, "cluster_ipv4_cidr": c.ClusterIpv4Cidr,
				"enable_autopilot": autopilot, "release_channel": channel, "private_cluster_config": private,
				"self_link": c.SelfLink}})
	}
	return nil
}
