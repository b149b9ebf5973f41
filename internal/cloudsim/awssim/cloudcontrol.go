package awssim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// Cloud Control API (JSON 1.0, signing name "cloudcontrolapi"): only
// ListResources, answered from the world through the typemap table, so
// every Terraform type the table knows can be listed by its
// CloudFormation name.

// ccPageSize is ListResources' default and largest page.
const ccPageSize = 100

// ccUnlistable are real CloudFormation types Cloud Control knows but
// cannot list (no list handler, or a non-provisionable type): it answers
// UnsupportedActionException for them, TypeNotFoundException for names it
// does not know at all.
var ccUnlistable = map[string]bool{
	"AWS::CloudFormation::WaitCondition":       true,
	"AWS::CloudFormation::WaitConditionHandle": true,
	"AWS::EC2::VPCGatewayAttachment":           true,
	"AWS::SNS::TopicPolicy":                    true,
	"AWS::SQS::QueuePolicy":                    true,
}

type ccListInput struct {
	TypeName   string
	NextToken  *string
	MaxResults *int
}

type ccDescription struct {
	Identifier string
	Properties string
}

func ccError(rw http.ResponseWriter, code, msg string) {
	rw.Header().Set("Content-Type", "application/x-amz-json-1.0")
	rw.Header().Set("X-Amzn-ErrorType", code)
	rw.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(rw).Encode(map[string]string{"__type": code, "Message": msg})
}

func (h *handler) cloudControl(rw http.ResponseWriter, c *call) {
	if target := c.r.Header.Get("X-Amz-Target"); target != "CloudApiService.ListResources" {
		ccError(rw, "UnknownOperationException", "awssim: operation "+target+" is not simulated")
		return
	}
	switch h.w.Check("aws:cloudcontrol", c.account) {
	case world.Throttle:
		ccError(rw, "ThrottlingException", "Rate exceeded")
		return
	case world.Deny:
		ccError(rw, "AccessDeniedException", "User is not authorized to perform: cloudformation:ListResources")
		return
	case world.Disabled:
		ccError(rw, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	}
	var in ccListInput
	if err := json.NewDecoder(io.LimitReader(c.r.Body, 1<<20)).Decode(&in); err != nil {
		ccError(rw, "ValidationException", "malformed request body: "+err.Error())
		return
	}
	typ, ok := typemap.AWSByCloudFormation(in.TypeName)
	switch {
	case ccUnlistable[in.TypeName]:
		ccError(rw, "UnsupportedActionException", fmt.Sprintf("Resource type %s does not support LIST action", in.TypeName))
		return
	case !ok:
		ccError(rw, "TypeNotFoundException", fmt.Sprintf("The type '%s' cannot be found.", in.TypeName))
		return
	}
	max := 0
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > ccPageSize {
			ccError(rw, "ValidationException", "MaxResults must be between 1 and 100")
			return
		}
		max = *in.MaxResults
	}
	region := c.region
	if typ.Global {
		region = ""
	}
	rs := h.w.List("aws", typ.Terraform, c.account, region)
	token := ""
	if in.NextToken != nil {
		token = *in.NextToken
	}
	lo, hi, next, ok := page(len(rs), token, max, ccPageSize)
	if !ok {
		ccError(rw, "InvalidRequestException", "Invalid NextToken")
		return
	}
	descs := make([]ccDescription, 0, hi-lo)
	for _, r := range rs[lo:hi] {
		ident, extra := typ.Identifier(r.ID, r.Attrs, r.Account, r.Region)
		props := map[string]any{}
		for k, v := range extra {
			props[k] = v
		}
		tags := r.Tags
		if len(tags) == 0 {
			tags = flatTags(r.Attrs)
		}
		if len(tags) > 0 {
			keys := make([]string, 0, len(tags))
			for k := range tags {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			list := make([]any, 0, len(keys))
			for _, k := range keys {
				list = append(list, map[string]any{"Key": k, "Value": tags[k]})
			}
			props["Tags"] = list
		}
		b, _ := json.Marshal(props)
		descs = append(descs, ccDescription{Identifier: ident, Properties: string(b)})
	}
	out := map[string]any{"TypeName": typ.CloudFormation, "ResourceDescriptions": descs}
	if next != "" {
		out["NextToken"] = next
	}
	rw.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(rw).Encode(out)
}
