package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// apiExamples holds, for every path, method and status the OpenAPI
// document names, a request that brings that answer.
var apiExamples = map[string]request{
	"POST /api/v1/triage 200": {method: "POST", target: "/api/v1/triage", contentType: "application/json", body: `{"text":"` + phishingText + `","at":"2026-11-24T10:30","context":{"minor":true,"answers":{}}}`},
	"POST /api/v1/triage 400": {method: "POST", target: "/api/v1/triage", contentType: "application/json", body: `{"text":""}`},
	"POST /api/v1/triage 413": {method: "POST", target: "/api/v1/triage", contentType: "application/json", body: `{"text":"` + strings.Repeat("x", jsonLimit) + `"}`},
	"POST /api/v1/triage 415": {method: "POST", target: "/api/v1/triage", contentType: "text/plain", body: "x"},
	"POST /api/v1/triage 429": {method: "POST", target: "/api/v1/triage", contentType: "application/json", body: `{"text":"x"}`},
	"GET /api/v1/desks 200":   {method: "GET", target: "/api/v1/desks?open=1&at=2026-11-24T10:30"},
	"GET /api/v1/desks 400":   {method: "GET", target: "/api/v1/desks?at=never"},
	"GET /api/v1/desks 429":   {method: "GET", target: "/api/v1/desks"},
	"POST /api/v1/check 200":  {method: "POST", target: "/api/v1/check", contentType: "message/rfc822", body: sampleMail},
	"POST /api/v1/check 400":  {method: "POST", target: "/api/v1/check", contentType: "application/json", body: `{}`},
	"POST /api/v1/check 413":  {method: "POST", target: "/api/v1/check", contentType: "application/json", body: `{"text":"` + strings.Repeat("x", jsonLimit) + `"}`},
	"POST /api/v1/check 415":  {method: "POST", target: "/api/v1/check", contentType: "text/html", body: "<p>"},
	"POST /api/v1/check 429":  {method: "POST", target: "/api/v1/check", contentType: "application/json", body: `{"url":"http://a.example"}`},
	"GET /healthz 200":        {method: "GET", target: "/healthz"},
}

// TestOpenAPIMatchesServer checks the embedded OpenAPI document against the
// real server: every documented path, method and status is answered, and
// every answer's body has what its schema requires.
func TestOpenAPIMatchesServer(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	s := schemaDoc{doc}
	h := newServer(t, Config{}).Handler()
	seen := map[string]bool{}
	for p, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			for status, resp := range op.(map[string]any)["responses"].(map[string]any) {
				key := fmt.Sprintf("%s %s %s", strings.ToUpper(method), p, status)
				seen[key] = true
				req, ok := apiExamples[key]
				if !ok {
					t.Errorf("%s is documented but has no example request", key)
					continue
				}
				hh := h
				if status == "429" {
					hh = exhausted(t)
				}
				w := do(t, hh, req)
				if fmt.Sprint(w.Code) != status {
					t.Errorf("%s: got status %d: %.300s", key, w.Code, w.Body.String())
					continue
				}
				resp = s.resolve(resp)
				for ct, media := range resp.(map[string]any)["content"].(map[string]any) {
					if !strings.HasPrefix(w.Header().Get("Content-Type"), ct) {
						t.Errorf("%s: Content-Type %q, want %s", key, w.Header().Get("Content-Type"), ct)
					}
					schema := media.(map[string]any)["schema"]
					var body any = w.Body.String()
					if ct == "application/json" {
						if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
							t.Errorf("%s: body is not JSON: %v", key, err)
							continue
						}
					}
					for _, problem := range s.check(schema, body, "body") {
						t.Errorf("%s: %s", key, problem)
					}
				}
				if status == "429" && w.Header().Get("Retry-After") == "" {
					t.Errorf("%s: no Retry-After", key)
				}
			}
		}
	}
	for key := range apiExamples {
		if !seen[key] {
			t.Errorf("example %s is not in the OpenAPI document", key)
		}
	}
}

// exhausted returns a handler whose client has used up its rate limit.
func exhausted(t *testing.T) http.Handler {
	h := newServer(t, Config{RateLimit: 0.001}).Handler()
	for range minRateBurst {
		get(t, h, "/api/v1/desks")
	}
	return h
}

// schemaDoc checks values against the OpenAPI document's schemas: the part
// of JSON Schema the document uses (type, required, properties, items,
// enum, nullable, $ref).
type schemaDoc struct{ doc map[string]any }

func (s schemaDoc) resolve(v any) any {
	for {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		var cur any = s.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		v = cur
	}
}

func (s schemaDoc) check(schema, v any, where string) []string {
	sc, _ := s.resolve(schema).(map[string]any)
	if sc == nil {
		return nil
	}
	if v == nil {
		if sc["nullable"] == true {
			return nil
		}
		return []string{where + " is null"}
	}
	var problems []string
	if enum, ok := sc["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			problems = append(problems, fmt.Sprintf("%s = %v is not one of %v", where, v, enum))
		}
	}
	switch sc["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(problems, where+" is not an object")
		}
		for _, r := range asList(sc["required"]) {
			if _, ok := m[r.(string)]; !ok {
				problems = append(problems, fmt.Sprintf("%s lacks required %q", where, r))
			}
		}
		props, _ := sc["properties"].(map[string]any)
		for k, pv := range m {
			if ps, ok := props[k]; ok {
				problems = append(problems, s.check(ps, pv, where+"."+k)...)
			} else if sc["additionalProperties"] == false {
				problems = append(problems, fmt.Sprintf("%s has undocumented %q", where, k))
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return append(problems, where+" is not an array")
		}
		for i, item := range a {
			problems = append(problems, s.check(sc["items"], item, fmt.Sprintf("%s[%d]", where, i))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			problems = append(problems, where+" is not a string")
		}
	case "number", "integer":
		if _, ok := v.(float64); !ok {
			problems = append(problems, where+" is not a number")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			problems = append(problems, where+" is not a boolean")
		}
	}
	return problems
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestSchemaCheckerCatchesMistakes keeps the checker above honest.
func TestSchemaCheckerCatchesMistakes(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	s := schemaDoc{doc}
	desk := map[string]any{"$ref": "#/components/schemas/Desk"}
	var v any
	json.Unmarshal([]byte(`{"id":"x","name":"x","phone":"","url":"","email":"","reason":"","open_now":null,"next_open":null,"hours":"","bring":[],"sources":[{"url":"u","checked":"d"}]}`), &v)
	if p := s.check(desk, v, "desk"); len(p) > 0 {
		t.Errorf("a good desk: %v", p)
	}
	json.Unmarshal([]byte(`{"id":"x","name":1,"bring":"no","sources":[{}]}`), &v)
	if p := s.check(desk, v, "desk"); len(p) < 4 {
		t.Errorf("a bad desk gave only %v", p)
	}
}
