package archtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// layer is one row of the rules table in docs/architecture.md.
type layer struct {
	name     string
	patterns []string // "internal/api/..." matches the folder and below it
	mayUse   []string // layers
	never    []string // outside import path prefixes
}

var ticked = regexp.MustCompile("`([^`]+)`")

// readLayers parses the table between the archtest:layers markers.
func readLayers(doc string) ([]layer, error) {
	_, rest, ok := strings.Cut(doc, "<!-- archtest:layers -->")
	table, _, ok2 := strings.Cut(rest, "<!-- /archtest:layers -->")
	if !ok || !ok2 {
		return nil, fmt.Errorf("no archtest:layers table")
	}
	var out []layer
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 4 || strings.HasPrefix(strings.TrimSpace(cells[0]), "---") || strings.TrimSpace(cells[0]) == "layer" {
			continue
		}
		l := layer{name: strings.TrimSpace(cells[0])}
		for _, m := range ticked.FindAllStringSubmatch(cells[1], -1) {
			l.patterns = append(l.patterns, m[1])
		}
		for _, u := range strings.Split(cells[2], ",") {
			if u = strings.TrimSpace(u); u != "" {
				l.mayUse = append(l.mayUse, u)
			}
		}
		for _, m := range ticked.FindAllStringSubmatch(cells[3], -1) {
			l.never = append(l.never, m[1])
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the archtest:layers table has no rows")
	}
	names := map[string]bool{}
	for _, l := range out {
		names[l.name] = true
	}
	for _, l := range out {
		for _, u := range l.mayUse {
			if !names[u] {
				return nil, fmt.Errorf("layer %s may import unknown layer %q", l.name, u)
			}
		}
	}
	return out, nil
}

// layerOf returns the layer of the longest pattern matching dir.
func layerOf(layers []layer, dir string) (layer, bool) {
	best, bestLen, found := layer{}, -1, false
	for _, l := range layers {
		for _, p := range l.patterns {
			match := p == dir
			if base, ok := strings.CutSuffix(p, "/..."); ok {
				match = within(dir, base)
			}
			if match && len(p) > bestLen {
				best, bestLen, found = l, len(p), true
			}
		}
	}
	return best, found
}

// violations checks every package's imports against the layers.
func violations(layers []layer, pkgs map[string]*pkg) []string {
	var out []string
	for dir, p := range pkgs {
		l, ok := layerOf(layers, dir)
		if !ok {
			out = append(out, fmt.Sprintf("package %s is in no layer of docs/architecture.md: add it to the table", dir))
			continue
		}
		for im := range p.imports {
			if rel, inModule := strings.CutPrefix(im, module+"/"); inModule {
				to, ok := layerOf(layers, rel)
				if !ok {
					continue // reported as a package of its own
				}
				if !slices.Contains(l.mayUse, to.name) {
					out = append(out, fmt.Sprintf("%s (%s) imports %s (%s): the %s layer may import only %s",
						dir, l.name, rel, to.name, l.name, strings.Join(l.mayUse, ", ")))
				}
				continue
			}
			for _, bad := range l.never {
				if within(im, bad) {
					out = append(out, fmt.Sprintf("%s (%s) imports %s: the %s layer never imports %s", dir, l.name, im, l.name, bad))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func architectureDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The code keeps the layer rules that docs/architecture.md states.
func TestLayerRules(t *testing.T) {
	layers, err := readLayers(architectureDoc(t))
	if err != nil {
		t.Fatalf("docs/architecture.md: %v", err)
	}
	for _, v := range violations(layers, packages(t)) {
		t.Error(v)
	}
}

// The checker finds what breaks a rule: a domain package reaching the
// store or net/http, an undocumented package, and HTTP reaching storage.
func TestLayerRulesCatchViolations(t *testing.T) {
	layers, err := readLayers(architectureDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]*pkg{
		"internal/tenant":          {imports: map[string]bool{module + "/internal/store": true, "net/http": true}},
		"internal/api/pricingapi":  {imports: map[string]bool{module + "/internal/store": true}},
		"internal/nowhere":         {imports: map[string]bool{}},
		"internal/marketplace/aws": {imports: map[string]bool{module + "/internal/marketplace/azure": true}},
		"internal/store":           {imports: map[string]bool{module + "/internal/tenant": true}},
	}
	got := strings.Join(violations(layers, pkgs), "\n")
	for _, want := range []string{
		"internal/tenant (domain) imports internal/store (storage)",
		"internal/tenant (domain) imports net/http",
		"internal/api/pricingapi (http) imports internal/store (storage)",
		"package internal/nowhere is in no layer",
		"internal/marketplace/aws (marketplaces) imports internal/marketplace/azure (marketplaces)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violations lack %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "internal/store (storage) imports") {
		t.Errorf("storage may import domain packages; got:\n%s", got)
	}
}
