package cli

import (
	"strings"
	"testing"
)

// TestExportKeepsParamOrder applies an action whose params are written
// zeta, alpha, mid and exports it: the export lists them in that order.
func TestExportKeepsParamOrder(t *testing.T) {
	h := newCLI(t)
	src := h.file("find.yaml", `kind: Action
name: find
method: GET
url: http://HOST/find/{{zeta}}/{{alpha}}/{{mid}}
params:
  zeta: {type: string, required: true}
  alpha: {type: string, required: true}
  mid: {type: string, required: true}
`)
	h.ok("", "apply", src)
	exp := h.ok("", "export", "--kind", "Action").stdout
	_, params, _ := strings.Cut(exp, "\nparams:\n")
	z, a, m := strings.Index(params, "  zeta:"), strings.Index(params, "  alpha:"), strings.Index(params, "  mid:")
	if z != 0 || a <= z || m <= a {
		t.Fatalf("export does not list the params zeta, alpha, mid in order:\n%s", exp)
	}
}
