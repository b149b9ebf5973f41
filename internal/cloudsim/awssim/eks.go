package awssim

import (
	"net/http"
	"strconv"
	"strings"
)

var eksService = &restJSONService{name: "eks", throttle: "ThrottlingException",
	throttleStatus: http.StatusBadRequest, deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// eks answers the EKS REST-JSON API from aws_eks_cluster: ListClusters
// (nextToken and maxResults, 1..100, default 100) and DescribeCluster.
func (h *handler) eks(rw http.ResponseWriter, c *call) {
	if !eksService.fault(rw, h.w, c) {
		return
	}
	p := strings.TrimSuffix(c.r.URL.Path, "/")
	switch {
	case c.r.Method != http.MethodGet:
		restJSONError(rw, http.StatusBadRequest, "InvalidRequestException", "awssim: this EKS operation is not simulated")
	case p == "/clusters":
		h.eksList(rw, c)
	case strings.HasPrefix(p, "/clusters/") && !strings.Contains(strings.TrimPrefix(p, "/clusters/"), "/"):
		name := strings.TrimPrefix(p, "/clusters/")
		for _, cl := range h.resources(c, "aws_eks_cluster", false) {
			if str(cl, "id") == name {
				restJSONReply(rw, map[string]any{"cluster": renderCluster(c, cl)})
				return
			}
		}
		restJSONError(rw, http.StatusNotFound, "ResourceNotFoundException", "No cluster found for name: "+name+".")
	default:
		restJSONError(rw, http.StatusBadRequest, "InvalidRequestException", "awssim: this EKS operation is not simulated")
	}
}

func (h *handler) eksList(rw http.ResponseWriter, c *call) {
	cls := h.resources(c, "aws_eks_cluster", false)
	q := c.r.URL.Query()
	size := 0
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			restJSONError(rw, http.StatusBadRequest, "InvalidParameterException", "maxResults must be between 1 and 100")
			return
		}
		size = n
	}
	lo, hi, next, ok := page(len(cls), q.Get("nextToken"), size, 100)
	if !ok {
		restJSONError(rw, http.StatusBadRequest, "InvalidParameterException", "The nextToken is not valid")
		return
	}
	names := []string{}
	for _, cl := range cls[lo:hi] {
		names = append(names, str(cl, "id"))
	}
	out := map[string]any{"clusters": names}
	if next != "" {
		out["nextToken"] = next
	}
	restJSONReply(rw, out)
}

// renderCluster renders an EKS Cluster; the logging setup answers every
// log type, enabled or not, in two groups as EKS does.
func renderCluster(c *call, cl map[string]any) map[string]any {
	name := str(cl, "id")
	vpc := obj(first(list(cl, "vpc_config")))
	out := map[string]any{
		"name":            name,
		"arn":             "arn:aws:eks:" + c.region + ":" + c.account + ":cluster/" + name,
		"createdAt":       1704067200,
		"version":         str(cl, "version"),
		"platformVersion": str(cl, "platform_version"),
		"endpoint":        str(cl, "endpoint"),
		"roleArn":         str(cl, "role_arn"),
		"status":          strOr(cl, "status", "ACTIVE"),
		"resourcesVpcConfig": map[string]any{
			"subnetIds":              anyList(strs(vpc, "subnet_ids")),
			"securityGroupIds":       anyList(strs(vpc, "security_group_ids")),
			"clusterSecurityGroupId": str(vpc, "cluster_security_group_id"),
			"vpcId":                  str(vpc, "vpc_id"),
			"endpointPublicAccess":   boolean(vpc, "endpoint_public_access"),
			"endpointPrivateAccess":  boolean(vpc, "endpoint_private_access"),
			"publicAccessCidrs":      anyList(strs(vpc, "public_access_cidrs")),
		},
		"certificateAuthority": map[string]any{"data": str(obj(first(list(cl, "certificate_authority"))), "data")},
		"tags":                 lambdaTagMap(cl),
	}
	enabled := map[string]bool{}
	for _, t := range strs(cl, "enabled_cluster_log_types") {
		enabled[t] = true
	}
	var on, off []string
	for _, t := range []string{"api", "audit", "authenticator", "controllerManager", "scheduler"} {
		if enabled[t] {
			on = append(on, t)
		} else {
			off = append(off, t)
		}
	}
	var logging []any
	if len(on) > 0 {
		logging = append(logging, map[string]any{"types": on, "enabled": true})
	}
	if len(off) > 0 {
		logging = append(logging, map[string]any{"types": off, "enabled": false})
	}
	out["logging"] = map[string]any{"clusterLogging": logging}
	if k := obj(first(list(cl, "kubernetes_network_config"))); k != nil {
		knc := map[string]any{"serviceIpv4Cidr": str(k, "service_ipv4_cidr"), "ipFamily": strOr(k, "ip_family", "ipv4")}
		if v := str(k, "service_ipv6_cidr"); v != "" {
			knc["serviceIpv6Cidr"] = v
		}
		out["kubernetesNetworkConfig"] = knc
	}
	if i := obj(first(list(obj(first(list(cl, "identity"))), "oidc"))); i != nil {
		out["identity"] = map[string]any{"oidc": map[string]any{"issuer": str(i, "issuer")}}
	}
	var enc []any
	for _, e := range list(cl, "encryption_config") {
		m := obj(e)
		enc = append(enc, map[string]any{"resources": anyList(strs(m, "resources")),
			"provider": map[string]any{"keyArn": str(obj(first(list(m, "provider"))), "key_arn")}})
	}
	if len(enc) > 0 {
		out["encryptionConfig"] = enc
	}
	if a := obj(first(list(cl, "access_config"))); a != nil {
		out["accessConfig"] = map[string]any{"authenticationMode": str(a, "authentication_mode"),
			"bootstrapClusterCreatorAdminPermissions": boolean(a, "bootstrap_cluster_creator_admin_permissions")}
	}
	if u := obj(first(list(cl, "upgrade_policy"))); u != nil {
		out["upgradePolicy"] = map[string]any{"supportType": str(u, "support_type")}
	}
	return out
}
