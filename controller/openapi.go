package controller

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// The OpenAPI document is generated from the protos' descriptors and
// their google.api.http rules, so it cannot drift from the API it
// describes.
var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
)

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	openAPIOnce.Do(func() { openAPIDoc, _ = json.MarshalIndent(buildOpenAPI(), "", "  ") })
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDoc)
}

func buildOpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	schemas := map[string]any{}
	files := []protoreflect.FileDescriptor{pb.File_driftmgr_v1_query_proto, pb.File_driftmgr_v1_cluster_proto, pb.File_driftmgr_v1_tenancy_proto}
	for _, fd := range files {
		for i := 0; i < fd.Services().Len(); i++ {
			svc := fd.Services().Get(i)
			for j := 0; j < svc.Methods().Len(); j++ {
				m := svc.Methods().Get(j)
				rule, ok := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
				if !ok || rule == nil {
					continue
				}
				method, path := httpPattern(rule)
				if method == "" {
					continue
				}
				op := map[string]any{
					"operationId": string(svc.Name()) + "_" + string(m.Name()),
					"tags":        []string{string(svc.Name())},
					"responses": map[string]any{
						"200":     map[string]any{"description": "OK", "content": jsonContent(schemaRef(m.Output(), schemas))},
						"default": map[string]any{"description": "Connect error", "content": jsonContent(map[string]any{"$ref": "#/components/schemas/connect.Error"})},
					},
					"security": []any{map[string]any{"bearer": []string{}}},
				}
				var params []any
				for _, seg := range strings.Split(path, "/") {
					if strings.HasPrefix(seg, "{") {
						name := strings.Trim(strings.SplitN(seg, "}", 2)[0], "{")
						params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
					}
				}
				if rule.GetBody() != "" {
					op["requestBody"] = map[string]any{"content": jsonContent(schemaRef(m.Input(), schemas))}
				} else if method == "get" || method == "delete" {
					fields := m.Input().Fields()
					for k := 0; k < fields.Len(); k++ {
						f := fields.Get(k)
						if strings.Contains(path, "{"+string(f.Name())+"}") {
							continue
						}
						params = append(params, map[string]any{"name": f.JSONName(), "in": "query", "schema": fieldSchema(f, schemas)})
					}
				}
				if len(params) > 0 {
					op["parameters"] = params
				}
				if paths[path] == nil {
					paths[path] = map[string]any{}
				}
				paths[path][method] = op
			}
		}
	}
	schemas["connect.Error"] = map[string]any{"type": "object", "properties": map[string]any{
		"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "DriftMgr API", "version": "v1"},
		"paths":   paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{
			"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "API key dm_<id>_<secret>"}}},
	}
}

func httpPattern(r *annotations.HttpRule) (string, string) {
	switch p := r.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		return "get", p.Get
	case *annotations.HttpRule_Post:
		return "post", p.Post
	case *annotations.HttpRule_Put:
		return "put", p.Put
	case *annotations.HttpRule_Delete:
		return "delete", p.Delete
	case *annotations.HttpRule_Patch:
		return "patch", p.Patch
	}
	return "", ""
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func schemaRef(md protoreflect.MessageDescriptor, schemas map[string]any) map[string]any {
	name := string(md.FullName())
	switch name {
	case "google.protobuf.Timestamp":
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if _, ok := schemas[name]; !ok {
		schemas[name] = nil // placeholder against recursion
		props := map[string]any{}
		fields := md.Fields()
		for i := 0; i < fields.Len(); i++ {
			f := fields.Get(i)
			props[f.JSONName()] = fieldSchema(f, schemas)
		}
		schemas[name] = map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func fieldSchema(f protoreflect.FieldDescriptor, schemas map[string]any) map[string]any {
	var s map[string]any
	switch f.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		s = schemaRef(f.Message(), schemas)
	case protoreflect.EnumKind:
		var vals []string
		for i := 0; i < f.Enum().Values().Len(); i++ {
			vals = append(vals, string(f.Enum().Values().Get(i).Name()))
		}
		s = map[string]any{"type": "string", "enum": vals}
	case protoreflect.BoolKind:
		s = map[string]any{"type": "boolean"}
	case protoreflect.StringKind:
		s = map[string]any{"type": "string"}
	case protoreflect.BytesKind:
		s = map[string]any{"type": "string", "format": "byte"}
	case protoreflect.Int64Kind, protoreflect.Uint64Kind, protoreflect.Sint64Kind, protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind:
		// proto3 JSON writes 64-bit integers as strings.
		s = map[string]any{"type": "string", "format": "int64"}
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		s = map[string]any{"type": "number"}
	default:
		s = map[string]any{"type": "integer"}
	}
	if f.IsList() {
		return map[string]any{"type": "array", "items": s}
	}
	return s
}
