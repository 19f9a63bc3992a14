// Package shop is the demo API built into actiongate: a small online shop
// with customers, orders and refunds, served in-process for the reserved
// host name Host (see egress.Config.Local), so the demo's actions work
// without a network and without allowing any address past the SSRF guard.
//
// The data is made up and the same on every start. Every endpoint under
// /v1 needs the API key Key, sent as "X-Api-Key: <key>" or
// "Authorization: Bearer <key>", and refuses a request without it with 401.
// Refunds are kept in memory for as long as the process runs.
package shop

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// Host is the reserved name the demo API answers on. The .invalid
// top-level domain never resolves (RFC 6761), so the name cannot reach
// anything but the handler.
const Host = "demo.actiongate.invalid"

// BaseURL is the demo API's address as actions write it.
const BaseURL = "http://" + Host

// Key is the demo API's key. It guards nothing real; it is there so the
// demo shows a credential being applied and masked.
const Key = "demo-shop-key-5f2c9e71"

// API is the demo shop. It is safe for concurrent use.
type API struct {
	mux       *http.ServeMux
	customers []*customer
	orders    []*order
	byID      map[string]*order
	cusByID   map[string]*customer

	mu      sync.Mutex
	refunds map[string][]*refund
	// byKey remembers the refund made for each Idempotency-Key, so a
	// retried write answers with the same refund.
	byKey map[string]*refund
}

// New returns the demo shop with its made-up customers and orders.
func New() *API {
	a := &API{mux: http.NewServeMux(), refunds: map[string][]*refund{}, byKey: map[string]*refund{}}
	a.customers, a.orders = generate()
	a.byID = make(map[string]*order, len(a.orders))
	for _, o := range a.orders {
		a.byID[o.ID] = o
	}
	a.cusByID = make(map[string]*customer, len(a.customers))
	for _, c := range a.customers {
		a.cusByID[c.ID] = c
	}
	a.mux.HandleFunc("GET /{$}", a.index)
	a.mux.Handle("GET /v1/orders", a.keyed(a.listOrders))
	a.mux.Handle("GET /v1/orders/{id}", a.keyed(a.getOrder))
	a.mux.Handle("POST /v1/orders/{id}/refunds", a.keyed(a.createRefund))
	a.mux.Handle("GET /v1/customers", a.keyed(a.listCustomers))
	a.mux.Handle("GET /v1/customers/{id}", a.keyed(a.getCustomer))
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path+"; GET / lists them")
	})
	return a
}

// ServeHTTP serves the demo API.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// index lists the endpoints; it needs no key.
func (a *API) index(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"name": "actiongate demo shop",
		"auth": "send the API key as X-Api-Key or Authorization: Bearer",
		"endpoints": []string{
			"GET /v1/orders?q=&status=&customer_id=&limit=&page=",
			"GET /v1/orders/{id}",
			"POST /v1/orders/{id}/refunds {amount, reason}",
			"GET /v1/customers?q=&email=",
			"GET /v1/customers/{id}",
		},
	})
}

// keyed refuses a request that does not carry the API key.
func (a *API) keyed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Api-Key")
		if got == "" {
			got, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(Key)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="demo shop"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "a valid API key is required (X-Api-Key header)")
			return
		}
		h(w, r)
	})
}

// apiError is the shop's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
