package toolschema

import (
	"reflect"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

func TestAnnotations(t *testing.T) {
	hints := func(readOnly, destructive, idempotent, openWorld bool) map[string]any {
		return map[string]any{"readOnlyHint": readOnly, "destructiveHint": destructive, "idempotentHint": idempotent, "openWorldHint": openWorld}
	}
	withTitle := func(m map[string]any, title string) map[string]any {
		m["title"] = title
		return m
	}
	cases := []struct {
		a    action.Action
		want map[string]any
	}{
		{action.Action{Name: "get", Title: "Get", Method: action.MethodGet}, withTitle(hints(true, false, true, true), "Get")},
		{action.Action{Name: "post", Method: action.MethodPost}, hints(false, false, false, true)},
		{action.Action{Name: "post_key", Method: action.MethodPost, Idempotency: "Idempotency-Key"}, hints(false, false, true, true)},
		{action.Action{Name: "put", Method: action.MethodPut}, hints(false, false, true, true)},
		{action.Action{Name: "patch", Method: action.MethodPatch}, hints(false, false, false, true)},
		{action.Action{Name: "delete", Method: action.MethodDelete}, hints(false, true, true, true)},
		{*MoreResultsAction(), withTitle(hints(true, false, true, false), "More results")},
	}
	for _, c := range cases {
		if got := Annotations(&c.a); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Annotations(%s) = %v, want %v", c.a.Name, got, c.want)
		}
	}
}
