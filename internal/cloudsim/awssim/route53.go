package awssim

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

const route53NS = "https://route53.amazonaws.com/doc/2013-04-01/"

// route53 answers the Route 53 REST-XML API (global: one endpoint, any
// region) from aws_route53_zone and aws_route53_record: ListHostedZones
// (marker and maxitems, the marker being the next zone's id),
// GetHostedZone, ListResourceRecordSets (paged by the next record's name,
// type and set identifier, in Route 53's order: labels compared right to
// left) and the tags of zones. Names are answered fully qualified, with
// the trailing dot and "*" escaped as \052, as Route 53 stores them.
func (h *handler) route53(rw http.ResponseWriter, c *call) {
	if !queryFault(rw, h.w.Check("aws:route53", c.account)) {
		return
	}
	path, ok := strings.CutPrefix(c.r.URL.Path, "/2013-04-01/")
	if !ok {
		route53Error(rw, http.StatusBadRequest, "InvalidInput", "awssim: unknown Route 53 path "+c.r.URL.Path)
		return
	}
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	switch {
	case c.r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "hostedzone":
		h.route53ListZones(rw, c)
	case c.r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "hostedzone":
		h.route53GetZone(rw, c, parts[1])
	case c.r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "hostedzone" && parts[2] == "rrset":
		h.route53ListRecords(rw, c, parts[1])
	case c.r.Method == http.MethodPost && len(parts) == 2 && parts[0] == "tags":
		h.route53Tags(rw, c, parts[1], nil)
	case c.r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "tags":
		h.route53Tags(rw, c, parts[1], []string{parts[2]})
	default:
		route53Error(rw, http.StatusBadRequest, "InvalidInput", "awssim: this Route 53 operation is not simulated")
	}
}

func route53Error(rw http.ResponseWriter, status int, code, msg string) {
	queryError(rw, status, "Sender", code, msg)
}

// route53Zone finds a zone by id, answering NoSuchHostedZone.
func (h *handler) route53Zone(rw http.ResponseWriter, c *call, id string) (map[string]any, bool) {
	id = strings.TrimPrefix(id, "hostedzone/")
	for _, z := range h.resources(c, "aws_route53_zone", true) {
		if str(z, "id") == id {
			return z, true
		}
	}
	route53Error(rw, http.StatusNotFound, "NoSuchHostedZone", "No hosted zone found with ID: "+id)
	return nil, false
}

// route53MaxItems reads maxitems: a number, capped at the API's maximum.
func route53MaxItems(rw http.ResponseWriter, c *call, max int) (int, bool) {
	v := c.r.URL.Query().Get("maxitems")
	if v == "" {
		return max, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		route53Error(rw, http.StatusBadRequest, "InvalidInput", "1 validation error detected: Value '"+v+"' at 'maxItems' failed to satisfy constraint")
		return 0, false
	}
	return min(n, max), true
}

func (h *handler) route53ListZones(rw http.ResponseWriter, c *call) {
	zones := h.resources(c, "aws_route53_zone", true)
	size, ok := route53MaxItems(rw, c, 100)
	if !ok {
		return
	}
	lo := 0
	if m := c.r.URL.Query().Get("marker"); m != "" {
		lo = sort.Search(len(zones), func(i int) bool { return str(zones[i], "id") >= m })
		if lo == len(zones) || str(zones[lo], "id") != m {
			route53Error(rw, http.StatusBadRequest, "InvalidInput", "Invalid marker: "+m)
			return
		}
	}
	hi := min(len(zones), lo+size)
	restXMLResult(rw, route53NS, "ListHostedZonesResponse", func(d *doc) {
		d.open("HostedZones")
		for _, z := range zones[lo:hi] {
			renderHostedZone(d, z)
		}
		d.close("HostedZones")
		d.opt("Marker", c.r.URL.Query().Get("marker"))
		d.boolean("IsTruncated", hi < len(zones))
		if hi < len(zones) {
			d.text("NextMarker", str(zones[hi], "id"))
		}
		d.num("MaxItems", float64(size))
	})
}

func renderHostedZone(d *doc, z map[string]any) {
	d.open("HostedZone")
	d.text("Id", "/hostedzone/"+str(z, "id"))
	d.text("Name", fqdn(str(z, "name")))
	d.text("CallerReference", "awssim-"+str(z, "id"))
	d.open("Config")
	d.opt("Comment", str(z, "comment"))
	d.boolean("PrivateZone", len(list(z, "vpc")) > 0)
	d.close("Config")
	d.close("HostedZone")
}

func (h *handler) route53GetZone(rw http.ResponseWriter, c *call, id string) {
	z, ok := h.route53Zone(rw, c, id)
	if !ok {
		return
	}
	restXMLResult(rw, route53NS, "GetHostedZoneResponse", func(d *doc) {
		renderHostedZone(d, z)
		vpcs := list(z, "vpc")
		if len(vpcs) == 0 {
			d.open("DelegationSet")
			d.opt("Id", str(z, "delegation_set_id"))
			members(d, "NameServers", "NameServer", strs(z, "name_servers"))
			d.close("DelegationSet")
			return
		}
		d.open("VPCs")
		for _, v := range vpcs {
			d.open("VPC")
			d.text("VPCRegion", str(obj(v), "vpc_region"))
			d.text("VPCId", str(obj(v), "vpc_id"))
			d.close("VPC")
		}
		d.close("VPCs")
	})
}

// privateNameServers answer the NS record of private zones, which have
// no delegation set.
var privateNameServers = []string{"ns-0.awsdns-00.com.", "ns-512.awsdns-00.net.", "ns-1024.awsdns-00.org.",
	"ns-1536.awsdns-00.co.uk."}

// apexRecords are the SOA and NS records Route 53 creates with every
// zone, in Terraform's record shape. A world record of the same name and
// type (managed with allow_overwrite) replaces them.
func apexRecords(z map[string]any) []map[string]any {
	ns := privateNameServers
	if len(list(z, "vpc")) == 0 {
		ns = nil
		for _, s := range strs(z, "name_servers") {
			ns = append(ns, s+".")
		}
	}
	name := str(z, "name")
	nsValues := make([]any, 0, len(ns))
	for _, s := range ns {
		nsValues = append(nsValues, s)
	}
	primary := "ns-0.awsdns-00.com."
	if len(ns) > 0 {
		primary = ns[0]
	}
	return []map[string]any{
		{"zone_id": str(z, "id"), "name": name, "type": "NS", "ttl": float64(172800), "records": nsValues},
		{"zone_id": str(z, "id"), "name": name, "type": "SOA", "ttl": float64(900),
			"records": []any{primary + " awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}},
	}
}

// dedupeRecords keeps the last record of each name, type and set
// identifier.
func dedupeRecords(rs []map[string]any) []map[string]any {
	at := map[string]int{}
	var out []map[string]any
	for _, r := range rs {
		k := recordOrder(str(r, "name"), str(r, "type"), str(r, "set_identifier"))
		if i, ok := at[k]; ok {
			out[i] = r
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	return out
}

// fqdn spells a Terraform record or zone name the way Route 53 answers
// it: lower case, "*" as \052, with the trailing dot.
func fqdn(name string) string {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	return strings.ReplaceAll(name, "*", `\052`) + "."
}

// recordOrder is Route 53's listing order key: labels right to left,
// then type, then set identifier.
func recordOrder(name, typ, set string) string {
	labels := strings.Split(strings.TrimSuffix(strings.ToLower(strings.ReplaceAll(name, `\052`, "*")), "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return strings.Join(labels, ".") + "\x00" + typ + "\x00" + set
}

func (h *handler) route53ListRecords(rw http.ResponseWriter, c *call, zoneID string) {
	z, ok := h.route53Zone(rw, c, zoneID)
	if !ok {
		return
	}
	q := c.r.URL.Query()
	if q.Get("type") != "" && q.Get("name") == "" {
		route53Error(rw, http.StatusBadRequest, "InvalidInput", "The input is not valid: type requires name")
		return
	}
	if q.Get("identifier") != "" && q.Get("type") == "" {
		route53Error(rw, http.StatusBadRequest, "InvalidInput", "The input is not valid: identifier requires name and type")
		return
	}
	size, ok := route53MaxItems(rw, c, 300)
	if !ok {
		return
	}
	records := apexRecords(z)
	for _, r := range h.resources(c, "aws_route53_record", true) {
		if str(r, "zone_id") == str(z, "id") {
			records = append(records, r)
		}
	}
	records = dedupeRecords(records)
	key := func(r map[string]any) string {
		return recordOrder(str(r, "name"), str(r, "type"), str(r, "set_identifier"))
	}
	sort.Slice(records, func(i, j int) bool { return key(records[i]) < key(records[j]) })
	lo := 0
	if n := q.Get("name"); n != "" {
		start := recordOrder(n, q.Get("type"), q.Get("identifier"))
		lo = sort.Search(len(records), func(i int) bool { return key(records[i]) >= start })
	}
	hi := min(len(records), lo+size)
	restXMLResult(rw, route53NS, "ListResourceRecordSetsResponse", func(d *doc) {
		d.open("ResourceRecordSets")
		for _, r := range records[lo:hi] {
			renderRecordSet(d, r)
		}
		d.close("ResourceRecordSets")
		d.boolean("IsTruncated", hi < len(records))
		if hi < len(records) {
			next := records[hi]
			d.text("NextRecordName", fqdn(str(next, "name")))
			d.text("NextRecordType", str(next, "type"))
			d.opt("NextRecordIdentifier", str(next, "set_identifier"))
		}
		d.num("MaxItems", float64(size))
	})
}

func renderRecordSet(d *doc, r map[string]any) {
	d.open("ResourceRecordSet")
	d.text("Name", fqdn(str(r, "name")))
	d.text("Type", str(r, "type"))
	d.opt("SetIdentifier", str(r, "set_identifier"))
	if w := obj(first(list(r, "weighted_routing_policy"))); w != nil {
		d.num("Weight", num(w, "weight"))
	}
	if l := obj(first(list(r, "latency_routing_policy"))); l != nil {
		d.text("Region", str(l, "region"))
	}
	if f := obj(first(list(r, "failover_routing_policy"))); f != nil {
		d.text("Failover", str(f, "type"))
	}
	if boolean(r, "multivalue_answer_routing_policy") {
		d.boolean("MultiValueAnswer", true)
	}
	if a := obj(first(list(r, "alias"))); a != nil {
		d.open("AliasTarget")
		d.text("HostedZoneId", str(a, "zone_id"))
		d.text("DNSName", fqdn(str(a, "name")))
		d.boolean("EvaluateTargetHealth", boolean(a, "evaluate_target_health"))
		d.close("AliasTarget")
	} else {
		d.num("TTL", num(r, "ttl"))
		d.open("ResourceRecords")
		for _, v := range strs(r, "records") {
			if t := str(r, "type"); t == "TXT" || t == "SPF" {
				v = `"` + v + `"`
			}
			d.open("ResourceRecord")
			d.text("Value", v)
			d.close("ResourceRecord")
		}
		d.close("ResourceRecords")
	}
	d.opt("HealthCheckId", str(r, "health_check_id"))
	d.close("ResourceRecordSet")
}

// route53Tags answers ListTagsForResources (POST, up to 10 ids in the
// body) and ListTagsForResource (GET, one id in the path) for zones.
func (h *handler) route53Tags(rw http.ResponseWriter, c *call, typ string, ids []string) {
	if typ != "hostedzone" {
		route53Error(rw, http.StatusBadRequest, "InvalidInput", "awssim: only hosted zone tags are simulated, not "+typ)
		return
	}
	single := ids != nil
	if !single {
		var req struct {
			IDs []string `xml:"ResourceIds>ResourceId"`
		}
		if err := xml.NewDecoder(c.r.Body).Decode(&req); err != nil || len(req.IDs) == 0 || len(req.IDs) > 10 {
			route53Error(rw, http.StatusBadRequest, "InvalidInput", "ResourceIds must hold 1 to 10 ids")
			return
		}
		ids = req.IDs
	}
	var zones []map[string]any
	for _, id := range ids {
		z, ok := h.route53Zone(rw, c, id)
		if !ok {
			return
		}
		zones = append(zones, z)
	}
	tagSet := func(d *doc, z map[string]any) {
		d.text("ResourceType", "hostedzone")
		d.text("ResourceId", str(z, "id"))
		queryTags(d, "Tags", "Tag", z)
	}
	if single {
		restXMLResult(rw, route53NS, "ListTagsForResourceResponse", func(d *doc) {
			d.open("ResourceTagSet")
			tagSet(d, zones[0])
			d.close("ResourceTagSet")
		})
		return
	}
	restXMLResult(rw, route53NS, "ListTagsForResourcesResponse", func(d *doc) {
		d.open("ResourceTagSets")
		for _, z := range zones {
			d.open("ResourceTagSet")
			tagSet(d, z)
			d.close("ResourceTagSet")
		}
		d.close("ResourceTagSets")
	})
}
