package toolschema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

// TestPropertiesFollowParamOrder checks the bytes of every format's
// schema: properties and required come in the params' order (zeta, alpha,
// mid), not sorted.
func TestPropertiesFollowParamOrder(t *testing.T) {
	a := &action.Action{Name: "find", Method: action.MethodGet, URL: "https://api.example.com/{{zeta}}"}
	a.Params.Set("zeta", &action.Param{Type: action.ParamTypeString, Required: true})
	a.Params.Set("alpha", &action.Param{Type: action.ParamTypeInteger})
	a.Params.Set("mid", &action.Param{Type: action.ParamTypeBoolean, Required: true})
	plain := `"properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"},"mid":{"type":"boolean"}},"required":["zeta","mid"]`
	strict := `"properties":{"zeta":{"type":"string"},"alpha":{"type":["integer","null"]},"mid":{"type":"boolean"}},"required":["zeta","alpha","mid"]`
	for _, tc := range []struct {
		format Format
		want   string
	}{
		{FormatOpenAI, strict},
		{FormatAnthropic, plain},
		{FormatMCP, plain},
	} {
		tool, err := Tool(a, tc.format)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(tool)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("%s tool:\n got %s\nwant it to hold %s", tc.format, b, tc.want)
		}
	}
}
