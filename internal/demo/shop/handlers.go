package shop

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Paging bounds of the list endpoints.
const (
	defaultPerPage = 50
	maxPerPage     = 100
)

// page is one page of a list endpoint's answer.
type page[T any] struct {
	Data    []T  `json:"data"`
	Page    int  `json:"page"`
	PerPage int  `json:"per_page"`
	Total   int  `json:"total"`
	HasMore bool `json:"has_more"`
}

// paginate cuts items to the page the query asks for.
func paginate[T any](r *http.Request, items []T) (page[T], string) {
	per, err := intParam(r, "limit", defaultPerPage)
	if err != nil || per < 1 || per > maxPerPage {
		return page[T]{}, fmt.Sprintf("limit must be a whole number from 1 to %d", maxPerPage)
	}
	n, err := intParam(r, "page", 1)
	if err != nil || n < 1 {
		return page[T]{}, "page must be a whole number from 1"
	}
	from := min((n-1)*per, len(items))
	to := min(from+per, len(items))
	return page[T]{Data: items[from:to], Page: n, PerPage: per, Total: len(items), HasMore: to < len(items)}, ""
}

func intParam(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("shop: reading %s: %w", name, err)
	}
	return n, nil
}

// listOrders searches orders, newest first: q matches the order id or
// number, the customer's name or email, or an item's name.
func (a *API) listOrders(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	status := r.URL.Query().Get("status")
	cust := r.URL.Query().Get("customer_id")
	if status != "" && !slices.Contains(statuses, status) && status != "refunded" {
		writeError(w, http.StatusBadRequest, "invalid_status", "status must be one of pending, paid, shipped, delivered, cancelled, refunded")
		return
	}
	var found []*order
	for i := len(a.orders) - 1; i >= 0; i-- {
		o := a.orders[i]
		if (status == "" || o.Status == status) && (cust == "" || o.Customer.ID == cust) && (q == "" || orderMatches(o, q)) {
			found = append(found, a.withRefunds(o))
		}
	}
	p, problem := paginate(r, found)
	if problem != "" {
		writeError(w, http.StatusBadRequest, "invalid_paging", problem)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func orderMatches(o *order, q string) bool {
	if strings.Contains(strings.ToLower(o.ID+" "+o.Number+" "+o.Customer.Name+" "+o.Customer.Email), q) {
		return true
	}
	for _, it := range o.Items {
		if strings.Contains(strings.ToLower(it.Name), q) {
			return true
		}
	}
	return false
}

// getOrder answers one order by id ("ord_1001") or number ("51001").
func (a *API) getOrder(w http.ResponseWriter, r *http.Request) {
	o := a.order(r.PathValue("id"))
	if o == nil {
		writeError(w, http.StatusNotFound, "order_not_found", fmt.Sprintf("no order %q: ids look like ord_1001", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, a.withRefunds(o))
}

// order finds an order by id or number.
func (a *API) order(id string) *order {
	if o := a.byID[id]; o != nil {
		return o
	}
	n := strings.TrimPrefix(id, "#")
	for _, o := range a.orders {
		if o.Number == "#"+n {
			return o
		}
	}
	return nil
}

// withRefunds returns o with the refunds made so far (a copy: the
// generated order is never changed).
func (a *API) withRefunds(o *order) *order {
	a.mu.Lock()
	defer a.mu.Unlock()
	rs := a.refunds[o.ID]
	if len(rs) == 0 {
		return o
	}
	c := *o
	c.Refunds = slices.Clone(rs)
	var refunded float64
	for _, rf := range rs {
		refunded += rf.Amount
	}
	if math.Round(refunded*100) >= math.Round(o.Total*100) {
		c.Status = "refunded"
	}
	return &c
}

// createRefund refunds part or all of an order. The same Idempotency-Key
// answers with the refund it made the first time.
func (a *API) createRefund(w http.ResponseWriter, r *http.Request) {
	o := a.order(r.PathValue("id"))
	if o == nil {
		writeError(w, http.StatusNotFound, "order_not_found", fmt.Sprintf("no order %q", r.PathValue("id")))
		return
	}
	var in struct {
		Amount float64 `json:"amount"`
		Reason string  `json:"reason"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_body", "the body must be JSON: {\"amount\": 12.5, \"reason\": \"...\"}")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	a.mu.Lock()
	defer a.mu.Unlock()
	if rf := a.byKey[key]; key != "" && rf != nil {
		writeJSON(w, http.StatusOK, rf)
		return
	}
	var refunded float64
	for _, rf := range a.refunds[o.ID] {
		refunded += rf.Amount
	}
	left := math.Round((o.Total-refunded)*100) / 100
	switch {
	case o.Status == "cancelled" || o.Status == "pending":
		writeError(w, http.StatusConflict, "not_refundable", fmt.Sprintf("order %s is %s: only paid, shipped or delivered orders can be refunded", o.ID, o.Status))
		return
	case in.Amount <= 0 || math.Round(in.Amount*100) > math.Round(left*100):
		writeError(w, http.StatusUnprocessableEntity, "invalid_amount", fmt.Sprintf("amount must be more than 0 and at most %.2f (what is left to refund)", left))
		return
	}
	rf := &refund{
		ID:      fmt.Sprintf("re_%s_%d", strings.TrimPrefix(o.ID, "ord_"), len(a.refunds[o.ID])+1),
		OrderID: o.ID, Amount: in.Amount, Currency: o.Currency, Reason: in.Reason,
		Status: "pending", CreatedAt: time.Now().UTC().Truncate(time.Second),
	}
	a.refunds[o.ID] = append(a.refunds[o.ID], rf)
	if key != "" {
		a.byKey[key] = rf
	}
	writeJSON(w, http.StatusCreated, rf)
}

// listCustomers searches customers by name or email (q), or finds one by
// its exact email.
func (a *API) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	email := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("email")))
	var found []*customer
	for _, c := range a.customers {
		if (email == "" || c.Email == email) && (q == "" || strings.Contains(strings.ToLower(c.Name+" "+c.Email), q)) {
			found = append(found, c)
		}
	}
	p, problem := paginate(r, found)
	if problem != "" {
		writeError(w, http.StatusBadRequest, "invalid_paging", problem)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// getCustomer answers one customer by id.
func (a *API) getCustomer(w http.ResponseWriter, r *http.Request) {
	c := a.cusByID[r.PathValue("id")]
	if c == nil {
		writeError(w, http.StatusNotFound, "customer_not_found", fmt.Sprintf("no customer %q: ids look like cus_001", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, c)
}
