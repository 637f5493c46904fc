package eventsapi

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

// Names maps a route pattern ("POST /v1/auth/tenants/{tenant_id}") to its
// event type: the snake case of the operationId our documents give it
// (create_tenant), as SaaSus names its events.
type Names map[string]string

var param = regexp.MustCompile(`\{[^}]*\}`)

// routeKey is a pattern with its parameters' names dropped, so that the
// router's and the document's spellings meet.
func routeKey(method, path string) string { return method + " " + param.ReplaceAllString(path, "{}") }

// NewNames reads the operations of docs, each mounted at its prefix.
func NewNames(docs map[string][]byte) (Names, error) {
	n := Names{}
	for prefix, doc := range docs {
		d, err := openapi3.NewLoader().LoadFromData(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", prefix, err)
		}
		for path, item := range d.Paths.Map() {
			for method, op := range item.Operations() {
				if op.OperationID != "" {
					n[routeKey(method, prefix+path)] = snake(op.OperationID)
				}
			}
		}
	}
	return n, nil
}

// Of returns the event type of a route pattern; a route no document names
// gets its method and path in snake case.
func (n Names) Of(pattern string) string {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return "api_call"
	}
	if name, ok := n[routeKey(method, path)]; ok {
		return name
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(param.ReplaceAllString(path, ""), "/") {
		if seg = strings.Trim(strings.ToLower(seg), "-_"); seg != "" && seg != "v1" {
			b.WriteString("_" + strings.ReplaceAll(seg, "-", "_"))
		}
	}
	return b.String()
}

// snake turns CreateTenant into create_tenant and GetSaaSUser into
// get_saas_user.
func snake(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			nextLower := i > 0 && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
