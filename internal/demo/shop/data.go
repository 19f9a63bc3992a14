package shop

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Sizes of the made-up data.
const (
	customerCount = 40
	orderCount    = 240
)

// epoch is the date the made-up history ends on.
var epoch = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

var firstNames = []string{"Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
	"Kim", "Liam", "Maya", "Noah", "Olga", "Priya", "Quentin", "Rosa", "Sam", "Tariq"}

var lastNames = []string{"Fischer", "Okafor", "Martin", "Nakamura", "Rossi", "Silva", "Kowalski", "Haddad", "Berg", "Novak"}

var cities = []struct{ city, postcode, country string }{
	{"Berlin", "10115", "DE"}, {"Lyon", "69002", "FR"}, {"Porto", "4050-262", "PT"},
	{"Utrecht", "3511 AB", "NL"}, {"Leeds", "LS1 4DY", "GB"}, {"Turin", "10121", "IT"},
}

var streets = []string{"Lindenstraße", "Rue Mercière", "Rua das Flores", "Oudegracht", "Briggate", "Via Roma"}

var products = []struct {
	sku   string
	name  string
	price float64
}{
	{"MUG-01", "Enamel camping mug", 14.5}, {"BTL-02", "Steel water bottle", 24},
	{"LMP-03", "Rechargeable desk lamp", 59}, {"BAG-04", "Waxed canvas backpack", 129},
	{"KNF-05", "Folding pocket knife", 39.9}, {"TNT-06", "Two-person tent", 249},
	{"SCK-07", "Merino hiking socks", 19.9}, {"JKT-08", "Rain jacket", 149},
	{"STV-09", "Gas camping stove", 79}, {"MAP-10", "Trail map set", 12},
}

var statuses = []string{"pending", "paid", "shipped", "delivered", "delivered", "delivered", "cancelled"}

var carriers = []string{"DHL", "UPS", "DPD", "PostNL"}

// customer is one shop customer, with the fields a real CRM record has
// (most of which a support agent does not need).
type customer struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Email           string          `json:"email"`
	Phone           string          `json:"phone"`
	Tier            string          `json:"tier"`
	CreatedAt       time.Time       `json:"created_at"`
	Address         address         `json:"address"`
	MarketingOptIn  bool            `json:"marketing_opt_in"`
	LifetimeValue   float64         `json:"lifetime_value"`
	OrderCount      int             `json:"order_count"`
	PaymentMethods  []paymentMethod `json:"payment_methods"`
	InternalNotes   string          `json:"internal_notes"`
	RiskScore       float64         `json:"risk_score"`
	LastLoginIP     string          `json:"last_login_ip"`
	PreferredLocale string          `json:"preferred_locale"`
}

type address struct {
	Line1    string `json:"line1"`
	City     string `json:"city"`
	Postcode string `json:"postcode"`
	Country  string `json:"country"`
}

type paymentMethod struct {
	Type        string `json:"type"`
	Brand       string `json:"brand"`
	Last4       string `json:"last4"`
	Fingerprint string `json:"fingerprint"`
}

// order is one order, as verbose as a real shop API returns it.
type order struct {
	ID        string    `json:"id"`
	Number    string    `json:"number"`
	Status    string    `json:"status"`
	Customer  orderCust `json:"customer"`
	Currency  string    `json:"currency"`
	Total     float64   `json:"total"`
	Items     []item    `json:"items"`
	PlacedAt  time.Time `json:"placed_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Shipping  shipping  `json:"shipping"`
	Payment   payment   `json:"payment"`
	Internal  internal  `json:"internal"`
	Metadata  metadata  `json:"metadata"`
	Refunds   []*refund `json:"refunds"`
}

type orderCust struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type item struct {
	SKU       string  `json:"sku"`
	Name      string  `json:"name"`
	Quantity  int     `json:"quantity"`
	UnitPrice float64 `json:"unit_price"`
}

type shipping struct {
	Method   string     `json:"method"`
	Carrier  string     `json:"carrier"`
	Tracking string     `json:"tracking_number"`
	ETA      *time.Time `json:"eta"`
	Address  address    `json:"address"`
}

type payment struct {
	Method        string `json:"method"`
	Last4         string `json:"last4"`
	TransactionID string `json:"transaction_id"`
}

type internal struct {
	Warehouse   string  `json:"warehouse"`
	PickerID    string  `json:"picker_id"`
	FraudScore  float64 `json:"fraud_score"`
	MarginCents int     `json:"margin_cents"`
}

type metadata struct {
	Source      string `json:"source"`
	UTMCampaign string `json:"utm_campaign"`
	UserAgent   string `json:"user_agent"`
}

// refund is a refund asked for through the API.
type refund struct {
	ID        string    `json:"id"`
	OrderID   string    `json:"order_id"`
	Amount    float64   `json:"amount"`
	Currency  string    `json:"currency"`
	Reason    string    `json:"reason"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// generate makes the customers and orders, the same ones every time.
func generate() ([]*customer, []*order) {
	r := rand.New(rand.NewPCG(14, 2026))
	cs := make([]*customer, customerCount)
	for i := range cs {
		first, last := firstNames[i%len(firstNames)], lastNames[(i*7+i/len(firstNames))%len(lastNames)]
		city := cities[r.IntN(len(cities))]
		cs[i] = &customer{
			ID:        fmt.Sprintf("cus_%03d", i+1),
			Name:      first + " " + last,
			Email:     strings.ToLower(first+"."+last) + "@example.com",
			Phone:     fmt.Sprintf("+49 30 %07d", r.IntN(10_000_000)),
			Tier:      []string{"standard", "standard", "gold"}[r.IntN(3)],
			CreatedAt: epoch.AddDate(-2, 0, -r.IntN(700)),
			Address: address{Line1: fmt.Sprintf("%s %d", streets[r.IntN(len(streets))], 1+r.IntN(120)),
				City: city.city, Postcode: city.postcode, Country: city.country},
			MarketingOptIn:  r.IntN(2) == 0,
			PaymentMethods:  []paymentMethod{{Type: "card", Brand: []string{"visa", "mastercard"}[r.IntN(2)], Last4: fmt.Sprintf("%04d", r.IntN(10000)), Fingerprint: fmt.Sprintf("fp_%016x", r.Uint64())}},
			InternalNotes:   "Imported from the old shop in 2024. Prefers email over phone.",
			RiskScore:       math.Round(r.Float64()*100) / 100,
			LastLoginIP:     fmt.Sprintf("203.0.113.%d", r.IntN(255)),
			PreferredLocale: []string{"en-GB", "de-DE", "fr-FR"}[r.IntN(3)],
		}
	}
	ords := make([]*order, orderCount)
	for i := range ords {
		c := cs[r.IntN(len(cs))]
		placed := epoch.Add(-time.Duration(orderCount-i) * 7 * time.Hour)
		o := &order{
			ID:       fmt.Sprintf("ord_%04d", 1001+i),
			Number:   fmt.Sprintf("#%d", 51001+i),
			Status:   statuses[r.IntN(len(statuses))],
			Customer: orderCust{ID: c.ID, Name: c.Name, Email: c.Email},
			Currency: "EUR",
			PlacedAt: placed,
			Payment:  payment{Method: "card", Last4: c.PaymentMethods[0].Last4, TransactionID: fmt.Sprintf("txn_%012x", r.Uint64()>>16)},
			Internal: internal{Warehouse: []string{"BER-1", "LYS-2"}[r.IntN(2)], PickerID: fmt.Sprintf("emp_%03d", r.IntN(60)),
				FraudScore: math.Round(r.Float64()*100) / 100, MarginCents: 500 + r.IntN(4000)},
			Metadata: metadata{Source: []string{"web", "app", "marketplace"}[r.IntN(3)], UTMCampaign: []string{"spring_sale", "newsletter", ""}[r.IntN(3)],
				UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"},
			Refunds: []*refund{},
		}
		for range 1 + r.IntN(3) {
			p := products[r.IntN(len(products))]
			it := item{SKU: p.sku, Name: p.name, Quantity: 1 + r.IntN(2), UnitPrice: p.price}
			o.Items = append(o.Items, it)
			o.Total += float64(it.Quantity) * it.UnitPrice
		}
		o.Total = math.Round(o.Total*100) / 100
		o.UpdatedAt = placed.Add(time.Duration(1+r.IntN(48)) * time.Hour)
		o.Shipping = shipping{Method: "standard", Address: c.Address}
		if o.Status == "shipped" || o.Status == "delivered" {
			o.Shipping.Carrier = carriers[r.IntN(len(carriers))]
			o.Shipping.Tracking = fmt.Sprintf("TRK%010d", r.IntN(1_000_000_000))
			eta := placed.AddDate(0, 0, 3)
			o.Shipping.ETA = &eta
		}
		c.OrderCount++
		c.LifetimeValue = math.Round((c.LifetimeValue+o.Total)*100) / 100
		ords[i] = o
	}
	return cs, ords
}
