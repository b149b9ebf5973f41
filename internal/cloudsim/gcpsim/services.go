package gcpsim

import (
	"net/http"
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func (s *server) routeServices(mux *http.ServeMux) {
	mux.HandleFunc("GET /storage/v1/b", s.buckets)
	mux.HandleFunc("GET /"+IAMHost+"/v1/projects/{p}/serviceAccounts", s.serviceAccounts)
	mux.HandleFunc("GET /"+CRMHost+"/v1/projects", s.projectList)
	mux.HandleFunc("POST /"+CRMHost+"/v1/projects/{call}", s.iamPolicy)
	mux.HandleFunc("GET /dns/v1/projects/{p}/managedZones", s.managedZones)
	mux.HandleFunc("GET /dns/v1/projects/{p}/managedZones/{z}/rrsets", s.recordSets)
	mux.HandleFunc("GET /"+PubSubHost+"/v1/projects/{p}/topics", s.topics)
	mux.HandleFunc("GET /"+PubSubHost+"/v1/projects/{p}/subscriptions", s.subscriptions)
	mux.HandleFunc("GET /"+KMSHost+"/v1/projects/{p}/locations", s.kmsLocations)
	mux.HandleFunc("GET /"+KMSHost+"/v1/projects/{p}/locations/{l}/keyRings", s.keyRings)
	mux.HandleFunc("GET /"+KMSHost+"/v1/projects/{p}/locations/{l}/keyRings/{r}/cryptoKeys", s.cryptoKeys)
	mux.HandleFunc("GET /"+SQLAdminHost+"/v1/projects/{p}/instances", s.sqlInstances)
	mux.HandleFunc("GET /"+ContainerHost+"/v1/projects/{p}/locations/{l}/clusters", s.clusters)
}

func (s *server) buckets(rw http.ResponseWriter, r *http.Request) {
	p := r.URL.Query().Get("project")
	if p == "" {
		writeError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "required", "Required parameter: project")
		return
	}
	if !s.check(rw, "storage", p) {
		return
	}
	list(rw, r, "storage#buckets", "items", render(s.resources("google_storage_bucket", p, nil), renderBucket))
}

func renderBucket(r *resource.Resource) map[string]any {
	a := r.Attrs
	name := str(a, "name")
	m := map[string]any{"kind": "storage#bucket", "id": name, "name": name,
		"selfLink": "https://www.googleapis.com/storage/v1/b/" + name,
		"location": strings.ToUpper(str(a, "location")), "storageClass": str(a, "storage_class"),
		"projectNumber": numericID(r.Account), "metageneration": "1", "etag": "CAE="}
	put(m, "labels", a["labels"])
	put(m, "rpo", str(a, "rpo"))
	iam := map[string]any{"uniformBucketLevelAccess": map[string]any{"enabled": boolean(a, "uniform_bucket_level_access")}}
	put(iam, "publicAccessPrevention", str(a, "public_access_prevention"))
	m["iamConfiguration"] = iam
	if b := block(a, "versioning"); b != nil {
		m["versioning"] = map[string]any{"enabled": boolean(b, "enabled")}
	}
	put(m, "defaultEventBasedHold", boolean(a, "default_event_based_hold"))
	if boolean(a, "requester_pays") {
		m["billing"] = map[string]any{"requesterPays": true}
	}
	if b := block(a, "retention_policy"); b != nil {
		m["retentionPolicy"] = map[string]any{"retentionPeriod": int64String(num(b, "retention_period")), "isLocked": boolean(b, "is_locked")}
	}
	if b := block(a, "logging"); b != nil {
		lg := map[string]any{"logBucket": str(b, "log_bucket")}
		put(lg, "logObjectPrefix", str(b, "log_object_prefix"))
		m["logging"] = lg
	}
	if b := block(a, "website"); b != nil {
		ws := map[string]any{}
		put(ws, "mainPageSuffix", str(b, "main_page_suffix"))
		put(ws, "notFoundPage", str(b, "not_found_page"))
		m["website"] = ws
	}
	var rules []any
	for _, lr := range blocks(a, "lifecycle_rule") {
		act, cond := block(lr, "action"), block(lr, "condition")
		action := map[string]any{"type": str(act, "type")}
		put(action, "storageClass", str(act, "storage_class"))
		c := map[string]any{}
		put(c, "age", num(cond, "age"))
		put(c, "createdBefore", str(cond, "created_before"))
		put(c, "numNewerVersions", num(cond, "num_newer_versions"))
		put(c, "matchesStorageClass", cond["matches_storage_class"])
		put(c, "matchesPrefix", cond["matches_prefix"])
		switch str(cond, "with_state") {
		case "LIVE":
			c["isLive"] = true
		case "ARCHIVED":
			c["isLive"] = false
		}
		rules = append(rules, map[string]any{"action": action, "condition": c})
	}
	if len(rules) > 0 {
		m["lifecycle"] = map[string]any{"rule": rules}
	}
	return m
}

func (s *server) serviceAccounts(rw http.ResponseWriter, r *http.Request) {
	p := r.PathValue("p")
	if !s.check(rw, "iam", p) {
		return
	}
	list(rw, r, "", "accounts", render(s.resources("google_service_account", p, nil), func(r *resource.Resource) map[string]any {
		a := r.Attrs
		email := str(a, "email")
		m := map[string]any{"name": "projects/" + r.Account + "/serviceAccounts/" + email, "projectId": r.Account,
			"email": email, "uniqueId": str(a, "unique_id"), "oauth2ClientId": str(a, "unique_id")}
		if m["uniqueId"] == "" {
			m["uniqueId"] = numericID(r.ID)
		}
		put(m, "displayName", str(a, "display_name"))
		put(m, "description", str(a, "description"))
		put(m, "disabled", boolean(a, "disabled"))
		return m
	}))
}

func (s *server) projectList(rw http.ResponseWriter, r *http.Request) {
	if !s.check(rw, "cloudresourcemanager", "") {
		return
	}
	var items []map[string]any
	for _, p := range s.projects() {
		items = append(items, map[string]any{"projectId": p, "name": p, "projectNumber": numericID(p), "lifecycleState": "ACTIVE"})
	}
	list(rw, r, "", "projects", items)
}

// iamPolicy answers projects/{p}:getIamPolicy from the world's
// google_project_iam_member resources, one binding per role and condition.
func (s *server) iamPolicy(rw http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutSuffix(r.PathValue("call"), ":getIamPolicy")
	if !ok {
		writeError(rw, http.StatusNotFound, "NOT_FOUND", "notFound", "Unknown method "+r.PathValue("call"))
		return
	}
	if !s.check(rw, "cloudresourcemanager", p) {
		return
	}
	type bkey struct{ role, cond string }
	var order []bkey
	bindings := map[bkey]map[string]any{}
	for _, res := range s.resources("google_project_iam_member", p, nil) {
		a := res.Attrs
		c := block(a, "condition")
		k := bkey{str(a, "role"), str(c, "title")}
		b := bindings[k]
		if b == nil {
			b = map[string]any{"role": k.role, "members": []any{}}
			if c != nil {
				cond := map[string]any{"title": str(c, "title"), "expression": str(c, "expression")}
				put(cond, "description", str(c, "description"))
				b["condition"] = cond
			}
			bindings[k] = b
			order = append(order, k)
		}
		b["members"] = append(b["members"].([]any), str(a, "member"))
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].role != order[j].role {
			return order[i].role < order[j].role
		}
		return order[i].cond < order[j].cond
	})
	out := make([]any, 0, len(order))
	for _, k := range order {
		out = append(out, bindings[k])
	}
	writeJSON(rw, http.StatusOK, map[string]any{"version": 3, "etag": "BwYhZ3m4c1E=", "bindings": out})
}

func (s *server) managedZones(rw http.ResponseWriter, r *http.Request) {
	p := r.PathValue("p")
	if !s.check(rw, "dns", p) {
		return
	}
	list(rw, r, "dns#managedZonesListResponse", "managedZones", render(s.resources("google_dns_managed_zone", p, nil), func(r *resource.Resource) map[string]any {
		a := r.Attrs
		m := map[string]any{"kind": "dns#managedZone", "name": str(a, "name"), "dnsName": str(a, "dns_name"),
			"id": numericID(r.ID), "visibility": str(a, "visibility")}
		if f := num(a, "managed_zone_id"); f > 0 {
			m["id"] = int64String(f)
		}
		if m["visibility"] == "" {
			m["visibility"] = "public"
		}
		put(m, "description", str(a, "description"))
		put(m, "labels", a["labels"])
		put(m, "nameServers", a["name_servers"])
		put(m, "creationTime", str(a, "creation_time"))
		if b := block(a, "private_visibility_config"); b != nil {
			var nets []any
			for _, n := range blocks(b, "networks") {
				nets = append(nets, map[string]any{"networkUrl": str(n, "network_url")})
			}
			m["privateVisibilityConfig"] = map[string]any{"networks": nets}
		}
		return m
	}))
}

func (s *server) recordSets(rw http.ResponseWriter, r *http.Request) {
	p, z := r.PathValue("p"), r.PathValue("z")
	if !s.check(rw, "dns", p) {
		return
	}
	rs := s.resources("google_dns_record_set", p, func(r *resource.Resource) bool { return str(r.Attrs, "managed_zone") == z })
	list(rw, r, "dns#resourceRecordSetsListResponse", "rrsets", render(rs, func(r *resource.Resource) map[string]any {
		a := r.Attrs
		return map[string]any{"kind": "dns#resourceRecordSet", "name": str(a, "name"), "type": str(a, "type"),
			"ttl": num(a, "ttl"), "rrdatas": a["rrdatas"]}
	}))
}

func (s *server) topics(rw http.ResponseWriter, r *http.Request) {
	p := r.PathValue("p")
	if !s.check(rw, "pubsub", p) {
		return
	}
	list(rw, r, "", "topics", render(s.resources("google_pubsub_topic", p, nil), func(r *resource.Resource) map[string]any {
		a := r.Attrs
		m := map[string]any{"name": "projects/" + r.Account + "/topics/" + str(a, "name")}
		put(m, "labels", a["labels"])
		put(m, "messageRetentionDuration", str(a, "message_retention_duration"))
		put(m, "kmsKeyName", str(a, "kms_key_name"))
		if b := block(a, "message_storage_policy"); b != nil {
			m["messageStoragePolicy"] = map[string]any{"allowedPersistenceRegions": b["allowed_persistence_regions"]}
		}
		return m
	}))
}

func (s *server) subscriptions(rw http.ResponseWriter, r *http.Request) {
	p := r.PathValue("p")
	if !s.check(rw, "pubsub", p) {
		return
	}
	list(rw, r, "", "subscriptions", render(s.resources("google_pubsub_subscription", p, nil), func(r *resource.Resource) map[string]any {
		a := r.Attrs
		m := map[string]any{"name": "projects/" + r.Account + "/subscriptions/" + str(a, "name"), "topic": str(a, "topic"),
			"ackDeadlineSeconds": num(a, "ack_deadline_seconds"), "state": "ACTIVE"}
		put(m, "messageRetentionDuration", str(a, "message_retention_duration"))
		put(m, "retainAckedMessages", boolean(a, "retain_acked_messages"))
		put(m, "enableMessageOrdering", boolean(a, "enable_message_ordering"))
		put(m, "enableExactlyOnceDelivery", boolean(a, "enable_exactly_once_delivery"))
		put(m, "filter", str(a, "filter"))
		put(m, "labels", a["labels"])
		if b := block(a, "push_config"); b != nil {
			pc := map[string]any{"pushEndpoint": str(b, "push_endpoint")}
			put(pc, "attributes", b["attributes"])
			m["pushConfig"] = pc
		}
		if b := block(a, "expiration_policy"); b != nil {
			m["expirationPolicy"] = map[string]any{"ttl": str(b, "ttl")}
		}
		if b := block(a, "dead_letter_policy"); b != nil {
			m["deadLetterPolicy"] = map[string]any{"deadLetterTopic": str(b, "dead_letter_topic"),
				"maxDeliveryAttempts": num(b, "max_delivery_attempts")}
		}
		if b := block(a, "retry_policy"); b != nil {
			m["retryPolicy"] = map[string]any{"minimumBackoff": str(b, "minimum_backoff"), "maximumBackoff": str(b, "maximum_backoff")}
		}
		return m
	}))
}

func (s *server) kmsLocations(rw http.ResponseWriter, r *http.Request) {
	p := r.PathValue("p")
	if !s.check(rw, "cloudkms", p) {
		return
	}
	locs := map[string]bool{"global": true, "us-central1": true, "europe-west1": true}
	for _, kr := range s.resources("google_kms_key_ring", p, nil) {
		locs[str(kr.Attrs, "location")] = true
	}
	var items []map[string]any
	for _, l := range resource.SortedKeys(locs) {
		items = append(items, map[string]any{"name": "projects/" + p + "/locations/" + l, "locationId": l, "displayName": l})
	}
	list(rw, r, "", "locations", items)
}

func (s *server) keyRings(rw http.ResponseWriter, r *http.Request) {
	p, l := r.PathValue("p"), r.PathValue("l")
	if !s.check(rw, "cloudkms", p) {
		return
	}
	rs := s.resources("google_kms_key_ring", p, func(r *resource.Resource) bool { return str(r.Attrs, "location") == l })
	list(rw, r, "", "keyRings", render(rs, func(r *resource.Resource) map[string]any {
		return map[string]any{"name": r.ID, "createTime": "2024-03-01T10:00:00Z"}
	}))
}

func (s *server) cryptoKeys(rw http.ResponseWriter, r *http.Request) {
	p := r.PathValue("p")
	if !s.check(rw, "cloudkms", p) {
		return
	}
	ring := "projects/" + p + "/locations/" + r.PathValue("l") + "/keyRings/" + r.PathValue("r")
	// Crypto keys carry no project attribute in Terraform state: select
	// them by their key ring.
	var rs []resource.Resource
	for _, k := range s.w.List("google", "google_kms_crypto_key", "", "") {
		if str(k.Attrs, "key_ring") == ring {
			rs = append(rs, k)
		}
	}
	list(rw, r, "", "cryptoKeys", render(rs, func(r *resource.Resource) map[string]any {
		a := r.Attrs
		m := map[string]any{"name": r.ID, "purpose": str(a, "purpose"), "createTime": "2024-03-01T10:00:00Z"}
		put(m, "rotationPeriod", str(a, "rotation_period"))
		put(m, "labels", a["labels"])
		put(m, "destroyScheduledDuration", str(a, "destroy_scheduled_duration"))
		put(m, "importOnly", boolean(a, "import_only"))
		if b := block(a, "version_template"); b != nil {
			m["versionTemplate"] = map[string]any{"algorithm": str(b, "algorithm"), "protectionLevel": str(b, "protection_level")}
		}
		return m
	}))
}

func (s *server) sqlInstances(rw http.ResponseWriter, r *http.Request) {
	p := r.PathValue("p")
	if !s.check(rw, "sqladmin", p) {
		return
	}
	list(rw, r, "sql#instancesList", "items", render(s.resources("google_sql_database_instance", p, nil), renderSQL))
}

func renderSQL(r *resource.Resource) map[string]any {
	a := r.Attrs
	name := str(a, "name")
	m := map[string]any{"kind": "sql#instance", "name": name, "project": r.Account, "region": str(a, "region"),
		"databaseVersion": str(a, "database_version"), "state": "RUNNABLE", "backendType": "SECOND_GEN",
		"instanceType": "CLOUD_SQL_INSTANCE", "connectionName": r.Account + ":" + str(a, "region") + ":" + name,
		"selfLink": "https://sqladmin.googleapis.com/sql/v1beta4/projects/" + r.Account + "/instances/" + name}
	var ips []any
	if ip := str(a, "public_ip_address"); ip != "" {
		ips = append(ips, map[string]any{"type": "PRIMARY", "ipAddress": ip})
	}
	if ip := str(a, "private_ip_address"); ip != "" {
		ips = append(ips, map[string]any{"type": "PRIVATE", "ipAddress": ip})
	}
	put(m, "ipAddresses", ips)
	st := block(a, "settings")
	if st == nil {
		return m
	}
	set := map[string]any{"kind": "sql#settings", "tier": str(st, "tier")}
	put(set, "availabilityType", str(st, "availability_type"))
	if f := num(st, "disk_size"); f > 0 {
		set["dataDiskSizeGb"] = int64String(f)
	}
	put(set, "dataDiskType", str(st, "disk_type"))
	if v, ok := st["disk_autoresize"].(bool); ok {
		set["storageAutoResize"] = v
	}
	put(set, "activationPolicy", str(st, "activation_policy"))
	put(set, "pricingPlan", str(st, "pricing_plan"))
	if f := num(st, "version"); f > 0 {
		set["settingsVersion"] = int64String(f)
	}
	if b := block(st, "location_preference"); b != nil {
		lp := map[string]any{}
		put(lp, "zone", str(b, "zone"))
		put(lp, "secondaryZone", str(b, "secondary_zone"))
		put(lp, "followGaeApplication", str(b, "follow_gae_application"))
		set["locationPreference"] = lp
	}
	put(set, "edition", str(st, "edition"))
	put(set, "userLabels", st["user_labels"])
	put(set, "deletionProtectionEnabled", boolean(st, "deletion_protection_enabled"))
	if b := block(st, "ip_configuration"); b != nil {
		ipc := map[string]any{"ipv4Enabled": boolean(b, "ipv4_enabled")}
		put(ipc, "privateNetwork", str(b, "private_network"))
		put(ipc, "sslMode", str(b, "ssl_mode"))
		var nets []any
		for _, n := range blocks(b, "authorized_networks") {
			x := map[string]any{"value": str(n, "value"), "kind": "sql#aclEntry"}
			put(x, "name", str(n, "name"))
			nets = append(nets, x)
		}
		put(ipc, "authorizedNetworks", nets)
		set["ipConfiguration"] = ipc
	}
	if b := block(st, "backup_configuration"); b != nil {
		bc := map[string]any{"enabled": boolean(b, "enabled")}
		put(bc, "startTime", str(b, "start_time"))
		put(bc, "binaryLogEnabled", boolean(b, "binary_log_enabled"))
		put(bc, "pointInTimeRecoveryEnabled", boolean(b, "point_in_time_recovery_enabled"))
		put(bc, "transactionLogRetentionDays", num(b, "transaction_log_retention_days"))
		if rs := block(b, "backup_retention_settings"); rs != nil {
			bc["backupRetentionSettings"] = map[string]any{"retainedBackups": num(rs, "retained_backups"),
				"retentionUnit": str(rs, "retention_unit")}
		}
		set["backupConfiguration"] = bc
	}
	m["settings"] = set
	return m
}

func (s *server) clusters(rw http.ResponseWriter, r *http.Request) {
	p, l := r.PathValue("p"), r.PathValue("l")
	if !s.check(rw, "container", p) {
		return
	}
	rs := s.resources("google_container_cluster", p, func(r *resource.Resource) bool { return l == "-" || str(r.Attrs, "location") == l })
	// clusters.list does not page.
	items := render(rs, renderCluster)
	writeJSON(rw, http.StatusOK, map[string]any{"clusters": items})
}

func renderCluster(r *resource.Resource) map[string]any {
	a := r.Attrs
	loc := str(a, "location")
	m := map[string]any{"name": str(a, "name"), "location": loc, "zone": loc, "status": "RUNNING",
		"selfLink": "https://container.googleapis.com/v1/" + r.ID}
	put(m, "description", str(a, "description"))
	put(m, "endpoint", str(a, "endpoint"))
	put(m, "currentMasterVersion", str(a, "master_version"))
	put(m, "currentNodeVersion", str(a, "node_version"))
	put(m, "resourceLabels", a["resource_labels"])
	put(m, "loggingService", str(a, "logging_service"))
	put(m, "monitoringService", str(a, "monitoring_service"))
	put(m, "clusterIpv4Cidr", str(a, "cluster_ipv4_cidr"))
	net, sub := str(a, "network"), str(a, "subnetwork")
	put(m, "network", net[strings.LastIndexByte(net, '/')+1:])
	put(m, "subnetwork", sub[strings.LastIndexByte(sub, '/')+1:])
	nc := map[string]any{}
	put(nc, "network", net)
	put(nc, "subnetwork", sub)
	m["networkConfig"] = nc
	put(m, "autopilot", map[string]any{"enabled": boolean(a, "enable_autopilot")})
	if b := block(a, "release_channel"); b != nil {
		m["releaseChannel"] = map[string]any{"channel": str(b, "channel")}
	}
	if b := block(a, "private_cluster_config"); b != nil {
		pc := map[string]any{"enablePrivateNodes": boolean(b, "enable_private_nodes")}
		put(pc, "enablePrivateEndpoint", boolean(b, "enable_private_endpoint"))
		put(pc, "masterIpv4CidrBlock", str(b, "master_ipv4_cidr_block"))
		put(pc, "privateEndpoint", str(b, "private_endpoint"))
		put(pc, "publicEndpoint", str(b, "public_endpoint"))
		m["privateClusterConfig"] = pc
	}
	return m
}
