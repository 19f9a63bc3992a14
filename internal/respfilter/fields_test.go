package respfilter

import (
	"strings"
	"testing"
	"time"
)

func TestFieldsJSONMergesItemsInDocumentOrder(t *testing.T) {
	got, err := FieldsJSON([]byte(`{"z":1,"items":[{"sku":"a"},{"qty":2,"sku":"b"}],"a":null}`), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "z" || got[1].Name != "items" || got[2].Name != "a" {
		t.Fatalf("top fields = %+v", got)
	}
	items := got[1]
	if items.Count != 2 || len(items.Children) != 1 || items.Children[0].Name != Every {
		t.Fatalf("items = %+v", items)
	}
	each := items.Children[0].Children
	if len(each) != 2 || each[0].Name != "sku" || each[1].Name != "qty" || each[1].Path.String() != "items[].qty" {
		t.Fatalf("every item = %+v", each)
	}
}

func TestFieldsJSONBounded(t *testing.T) {
	big := `[` + strings.Repeat(`{"id":1,"name":"abcdefghij","tags":["x","y"],"o":{"p":1}},`, 80000) + `{"id":2}]`
	deep := strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000)
	for _, doc := range []string{big, deep} {
		start := time.Now()
		got, err := FieldsJSON([]byte(doc), 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Fatal("no fields")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%d bytes took %v", len(doc), d)
		}
	}
}
