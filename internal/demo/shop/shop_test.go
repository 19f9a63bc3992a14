package shop

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// call sends one request to a, with the key when keyed.
func call(t *testing.T, a *API, method, path, body string, keyed bool, header ...string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, BaseURL+path, strings.NewReader(body))
	if keyed {
		req.Header.Set("X-Api-Key", Key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: the answer is not JSON: %v\n%s", method, path, err, rec.Body)
	}
	return rec.Code, out
}

func TestEveryEndpointNeedsTheKey(t *testing.T) {
	a := New()
	for _, p := range []string{"/v1/orders", "/v1/orders/ord_1001", "/v1/customers", "/v1/customers/cus_001"} {
		if code, out := call(t, a, "GET", p, "", false); code != http.StatusUnauthorized || out["error"] == nil {
			t.Errorf("GET %s without the key: %d %v", p, code, out)
		}
	}
	if code, _ := call(t, a, "GET", "/v1/orders", "", false, "X-Api-Key", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("a wrong key: %d", code)
	}
	if code, _ := call(t, a, "GET", "/v1/orders/ord_1001", "", false, "Authorization", "Bearer "+Key); code != http.StatusOK {
		t.Errorf("the key as a bearer token: %d", code)
	}
	if code, out := call(t, a, "GET", "/", "", false); code != http.StatusOK || out["endpoints"] == nil {
		t.Errorf("the index: %d %v", code, out)
	}
}

func TestOrdersSearchPagesAndFinds(t *testing.T) {
	a := New()
	code, out := call(t, a, "GET", "/v1/orders", "", true)
	if code != 200 || len(out["data"].([]any)) != defaultPerPage || out["total"].(float64) != orderCount || out["has_more"] != true {
		t.Fatalf("the first page: %d total=%v has_more=%v", code, out["total"], out["has_more"])
	}
	first := out["data"].([]any)[0].(map[string]any)
	if first["id"] != "ord_1240" {
		t.Errorf("the newest order comes first, got %v", first["id"])
	}
	name := first["customer"].(map[string]any)["name"].(string)
	_, out = call(t, a, "GET", "/v1/orders?q="+strings.ReplaceAll(strings.ToLower(name), " ", "+")+"&limit=100", "", true)
	for _, o := range out["data"].([]any) {
		if o.(map[string]any)["customer"].(map[string]any)["name"] != name {
			t.Fatalf("searching %q found %v", name, o)
		}
	}
	if out["total"].(float64) < 1 {
		t.Fatalf("searching %q found nothing", name)
	}
	_, out = call(t, a, "GET", "/v1/orders?status=shipped&limit=100", "", true)
	for _, o := range out["data"].([]any) {
		if o.(map[string]any)["status"] != "shipped" {
			t.Fatalf("status=shipped found %v", o.(map[string]any)["status"])
		}
	}
	if code, _ := call(t, a, "GET", "/v1/orders?status=lost", "", true); code != http.StatusBadRequest {
		t.Errorf("an unknown status: %d", code)
	}
	if code, _ := call(t, a, "GET", "/v1/orders/ord_9999", "", true); code != http.StatusNotFound {
		t.Errorf("an unknown order: %d", code)
	}
	if code, out := call(t, a, "GET", "/v1/orders/51001", "", true); code != 200 || out["id"] != "ord_1001" {
		t.Errorf("an order by number: %d %v", code, out["id"])
	}
}

func TestRefundIsCheckedAndIdempotent(t *testing.T) {
	a := New()
	var id string
	var total float64
	for _, o := range a.orders {
		if o.Status == "delivered" {
			id, total = o.ID, o.Total
			break
		}
	}
	path := "/v1/orders/" + id + "/refunds"
	if code, _ := call(t, a, "POST", path, `{"amount": 100000, "reason": "x"}`, true); code != http.StatusUnprocessableEntity {
		t.Errorf("refunding more than the total: %d", code)
	}
	code, first := call(t, a, "POST", path, `{"amount": 1, "reason": "late"}`, true, "Idempotency-Key", "k1")
	if code != http.StatusCreated || first["status"] != "pending" {
		t.Fatalf("a refund: %d %v", code, first)
	}
	code, again := call(t, a, "POST", path, `{"amount": 1, "reason": "late"}`, true, "Idempotency-Key", "k1")
	if code != http.StatusOK || again["id"] != first["id"] {
		t.Fatalf("the same key again: %d %v, want the first refund %v", code, again["id"], first["id"])
	}
	_, o := call(t, a, "GET", "/v1/orders/"+id, "", true)
	if n := len(o["refunds"].([]any)); n != 1 {
		t.Fatalf("the order lists %d refunds, want 1", n)
	}
	if _, o := call(t, a, "POST", path, fmt.Sprintf(`{"amount": %.2f}`, total-1), true); o["status"] != "pending" {
		t.Fatalf("refunding the rest: %v", o)
	}
	if _, o := call(t, a, "GET", "/v1/orders/"+id, "", true); o["status"] != "refunded" {
		t.Fatalf("a fully refunded order is %v", o["status"])
	}
	if a.byID[id].Status != "delivered" {
		t.Fatal("the generated order was changed")
	}
}

func TestCustomersByEmail(t *testing.T) {
	a := New()
	c := a.customers[3]
	code, out := call(t, a, "GET", "/v1/customers?email="+c.Email, "", true)
	if code != 200 || out["total"].(float64) != 1 || out["data"].([]any)[0].(map[string]any)["id"] != c.ID {
		t.Fatalf("by email: %d %v", code, out)
	}
	if code, out := call(t, a, "GET", "/v1/customers/"+c.ID, "", true); code != 200 || out["email"] != c.Email {
		t.Fatalf("by id: %d %v", code, out)
	}
	if a2 := New(); a2.orders[17].Total != a.orders[17].Total || a2.customers[5].Name != a.customers[5].Name {
		t.Fatal("the made-up data differs between two starts")
	}
}
