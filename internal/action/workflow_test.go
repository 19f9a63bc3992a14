package action

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestWorkflowFixtureValidates(t *testing.T) {
	rs, errs := LoadFiles([]string{"testdata/workflow.yaml"})
	if len(errs) > 0 {
		t.Fatalf("fixture has errors:\n%v", errs)
	}
	var w *Workflow
	for _, r := range rs {
		if r.Kind == KindWorkflow && r.Name() == "order_shipped" {
			w = r.Workflow
		}
	}
	if w == nil {
		t.Fatal("order_shipped not decoded")
	}
	if w.OnError == nil || *w.OnError != (OnError{Do: OnErrorFail}) {
		t.Errorf("on_error = %+v", w.OnError)
	}
	if got := w.Steps[1].Then[0].Set["vars.tracking"]; got != "{{steps.order.extract.tracking}}" {
		t.Errorf("nested set = %v", got)
	}
	if out := w.Steps[1].Else[0].Output["category"]; out == nil || len(out.Enum) != 3 {
		t.Errorf("agent output = %+v", out)
	}
	if w.Trigger.Type() != TriggerWebhook || w.Steps[2].Type() != StepWait {
		t.Errorf("trigger %q, last step %q", w.Trigger.Type(), w.Steps[2].Type())
	}
}

func TestWorkflowPositions(t *testing.T) {
	rs, errs := DecodeFile("testdata/workflow.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, r := range rs {
		if r.Name() != "morning_report" {
			continue
		}
		for path, want := range map[string]Pos{
			"steps[0].switch[0].steps[0].on_error": {Line: 71, Col: 23},
			"steps[1].on_error.goto":               {Line: 80, Col: 22},
			"steps[0].switch[1].steps[0].wait":     {Line: 74, Col: 19},
		} {
			if got := r.Positions[path]; got != want {
				t.Errorf("%s at %v, want %v", path, got, want)
			}
		}
		return
	}
	t.Fatal("morning_report not decoded")
}

func TestWorkflowRoundTrips(t *testing.T) {
	rs, errs := DecodeFile("testdata/workflow.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := bare(rs)
	for _, r := range want {
		data, err := SpecJSON(r)
		if err != nil {
			t.Fatal(err)
		}
		back, errs := FromSpecJSON(r.Kind, data)
		if len(errs) > 0 {
			t.Fatalf("%s: %v\n%s", r.Key(), errs, data)
		}
		if b := bare([]Resource{back})[0]; !reflect.DeepEqual(b, r) {
			t.Errorf("%s changed in the JSON round trip:\n%s", r.Key(), data)
		}
		if r.Name() == "morning_report" && !strings.Contains(string(data), `"on_error":{"goto":"route"}`) {
			t.Errorf("on_error goto written as %s", data)
		}
	}
	data, err := EncodeYAML(want)
	if err != nil {
		t.Fatal(err)
	}
	got, errs := Decode("out.yaml", data)
	if len(errs) > 0 {
		t.Fatalf("decoding the export:\n%v\n%s", errs, data)
	}
	byKey := map[string]Resource{}
	for _, r := range bare(got) {
		byKey[r.Key()] = r
	}
	for _, w := range want {
		if g := byKey[w.Key()]; !reflect.DeepEqual(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			t.Errorf("%s changed in the export round trip:\n got: %s\nwant: %s", w.Key(), gj, wj)
		}
	}
	if i, j := strings.Index(string(data), "kind: Agent"), strings.Index(string(data), "kind: Workflow"); i < 0 || j < i {
		t.Errorf("workflows are not written after agents:\n%s", data)
	}
	if errs := Validate(got); len(errs) > 0 {
		t.Errorf("the export does not validate:\n%v", errs)
	}
}

func TestOnErrorJSON(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want OnError
	}{
		{`"fail"`, OnError{Do: OnErrorFail}}, {`"continue"`, OnError{Do: OnErrorContinue}}, {`{"goto":"x"}`, OnError{Do: OnErrorGoto, Goto: "x"}},
	} {
		var got OnError
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil || got != tt.want {
			t.Errorf("%s -> %+v, %v", tt.in, got, err)
		}
		out, err := json.Marshal(got)
		if err != nil || string(out) != tt.in {
			t.Errorf("%+v -> %s, %v; want %s", got, out, err, tt.in)
		}
	}
	for _, bad := range []string{`"stop"`, `{"goto":""}`, `{"to":"x"}`, `5`, `{"goto":"x","also":"y"}`} {
		var o OnError
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Errorf("%s accepted as %+v", bad, o)
		}
	}
	if _, err := json.Marshal(OnError{Do: "stop"}); err == nil {
		t.Error("an unknown on_error was written")
	}
}
