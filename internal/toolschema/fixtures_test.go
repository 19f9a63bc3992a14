package toolschema

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

// loadActions reads the realistic actions the tests run over.
func loadActions(t testing.TB) []*action.Action {
	t.Helper()
	raw, err := os.ReadFile("testdata/actions.json")
	if err != nil {
		t.Fatal(err)
	}
	var actions []*action.Action
	if err := json.Unmarshal(raw, &actions); err != nil {
		t.Fatal(err)
	}
	return actions
}

// actionNamed returns the fixture action called name.
func actionNamed(t testing.TB, name string) *action.Action {
	t.Helper()
	for _, a := range loadActions(t) {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no fixture action %q", name)
	return nil
}
