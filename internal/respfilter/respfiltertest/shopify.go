package respfiltertest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ordersPage returns 30 orders as a shop's GET /admin/api/2024-10/orders.json
// lists them: {"orders":[...]}, each with its customer, addresses, line
// items, shipping and tax lines and the money sets of every amount.
func ordersPage() []byte {
	g := newGen(60)
	first, last := lines(poolFirstNames), lines(poolLastNames)
	cities, streets, products := lines(poolCities), lines(poolStreets), lines(poolProducts)
	c := clock{g: g, now: pageStart()}
	items := make([]obj, 30)
	number := 5420
	for i := range items {
		number -= g.between(1, 3)
		id := int64(6100000000000 + number*7919)
		created := c.next(8, 500)
		local := created.Add(-5*time.Hour).Format("2006-01-02T15:04:05") + "-05:00"
		fn, ln := g.pick(first), g.pick(last)
		email := strings.ToLower(fn+"."+ln) + "@" + g.pick([]string{"gmail.com", "outlook.com", "icloud.com", "hey.com"})
		city := strings.Split(g.pick(cities), "|")
		currency := "USD"
		if city[4] == "CA" {
			currency = "CAD"
		}
		money := func(cents int) obj {
			a := fmt.Sprintf("%d.%02d", cents/100, cents%100)
			return obj{{"shop_money", obj{{"amount", a}, {"currency_code", currency}}}, {"presentment_money", obj{{"amount", a}, {"currency_code", currency}}}}
		}
		price := func(cents int) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }
		address := obj{
			{"first_name", fn}, {"address1", g.pick(streets)}, {"phone", fmt.Sprintf("+1 %03d-555-%04d", g.between(200, 989), g.between(0, 9999))},
			{"city", city[0]}, {"zip", city[5]}, {"province", city[1]}, {"country", city[3]}, {"last_name", ln},
			{"address2", nil}, {"company", nil}, {"latitude", 45.5 + float64(g.between(-800, 800))/100}, {"longitude", -100 + float64(g.between(-2200, 2200))/100},
			{"name", fn + " " + ln}, {"country_code", city[4]}, {"province_code", city[2]},
		}
		var lineItems []obj
		subtotal := 0
		for range g.between(1, 4) {
			p := strings.Split(g.pick(products), "|")
			cents := parseCents(p[4])
			qty := g.between(1, 3)
			grams, _ := strconv.Atoi(p[5])
			subtotal += cents * qty
			tax := cents * qty * 8 / 100
			lineItems = append(lineItems, obj{
				{"id", int64(15800000000000 + g.between(0, 999999999))},
				{"admin_graphql_api_id", fmt.Sprintf("gid://shopify/LineItem/%d", 15800000000000+g.between(0, 999999999))},
				{"attributed_staffs", []obj{}},
				{"current_quantity", qty},
				{"fulfillable_quantity", qty},
				{"fulfillment_service", "manual"},
				{"fulfillment_status", nil},
				{"gift_card", false},
				{"grams", grams},
				{"name", p[0] + " - " + p[1]},
				{"price", p[4]},
				{"price_set", money(cents)},
				{"product_exists", true},
				{"product_id", int64(8800000000000 + len(p[0])*104729)},
				{"properties", []obj{}},
				{"quantity", qty},
				{"requires_shipping", true},
				{"sku", p[3]},
				{"taxable", true},
				{"title", p[0]},
				{"total_discount", "0.00"},
				{"total_discount_set", money(0)},
				{"variant_id", int64(46000000000000 + len(p[3])*7907 + len(p[1]))},
				{"variant_inventory_management", "shopify"},
				{"variant_title", p[1]},
				{"vendor", p[2]},
				{"tax_lines", []obj{{{"channel_liable", false}, {"price", price(tax)}, {"price_set", money(tax)}, {"rate", 0.08}, {"title", "State Tax"}}}},
				{"duties", []obj{}},
				{"discount_allocations", []obj{}},
			})
		}
		shipping := 0
		if subtotal < 10000 {
			shipping = 895
		}
		tax := subtotal * 8 / 100
		total := subtotal + shipping + tax
		financial, fulfillment := g.pick([]string{"paid", "paid", "paid", "pending", "refunded", "partially_refunded"}), any(nil)
		if financial == "paid" && g.chance(0.6) {
			fulfillment = "fulfilled"
		}
		var cancelledAt, cancelReason any
		if g.chance(0.07) {
			financial, cancelledAt, cancelReason = "voided", local, "customer"
		}
		var note any
		if g.chance(0.25) {
			note = g.pick([]string{"Please leave the parcel with the concierge.", "Gift, do not include the receipt.", "Call on arrival, the buzzer is broken."})
		}
		token := g.chars(hexDigits, 32)
		customerID := int64(7400000000000 + g.between(0, 99999999))
		tags := ""
		if g.chance(0.4) {
			tags = g.pick([]string{"wholesale", "vip", "first-order", "vip, repeat"})
		}
		items[i] = obj{
			{"id", id},
			{"admin_graphql_api_id", fmt.Sprintf("gid://shopify/Order/%d", id)},
			{"app_id", 580111},
			{"browser_ip", fmt.Sprintf("%d.%d.%d.%d", g.between(24, 203), g.between(0, 255), g.between(0, 255), g.between(1, 254))},
			{"buyer_accepts_marketing", g.chance(0.4)},
			{"cancel_reason", cancelReason},
			{"cancelled_at", cancelledAt},
			{"cart_token", g.chars(base62, 26)},
			{"checkout_id", int64(37000000000000 + g.between(0, 999999))},
			{"checkout_token", g.chars(hexDigits, 32)},
			{"client_details", obj{
				{"accept_language", "en-US"}, {"browser_height", nil}, {"browser_ip", nil}, {"browser_width", nil}, {"session_hash", nil},
				{"user_agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"},
			}},
			{"closed_at", nil},
			{"confirmation_number", strings.ToUpper(g.chars(base62[10:36], 9))},
			{"confirmed", true},
			{"contact_email", email},
			{"created_at", local},
			{"currency", currency},
			{"current_subtotal_price", price(subtotal)},
			{"current_subtotal_price_set", money(subtotal)},
			{"current_total_additional_fees_set", nil},
			{"current_total_discounts", "0.00"},
			{"current_total_discounts_set", money(0)},
			{"current_total_duties_set", nil},
			{"current_total_price", price(total)},
			{"current_total_price_set", money(total)},
			{"current_total_tax", price(tax)},
			{"current_total_tax_set", money(tax)},
			{"customer_locale", "en-US"},
			{"device_id", nil},
			{"discount_codes", []obj{}},
			{"email", email},
			{"estimated_taxes", false},
			{"financial_status", financial},
			{"fulfillment_status", fulfillment},
			{"landing_site", "/products/" + strings.ToLower(strings.ReplaceAll(strings.Split(g.pick(products), "|")[0], " ", "-"))},
			{"landing_site_ref", nil},
			{"location_id", nil},
			{"merchant_of_record_app_id", nil},
			{"name", fmt.Sprintf("#%d", number)},
			{"note", note},
			{"note_attributes", []obj{}},
			{"number", number - 1000},
			{"order_number", number},
			{"order_status_url", fmt.Sprintf("https://harbor-goods.myshopify.com/73019228437/orders/%s/authenticate?key=%s", token, g.chars(hexDigits, 32))},
			{"original_total_additional_fees_set", nil},
			{"original_total_duties_set", nil},
			{"payment_gateway_names", []string{g.pick([]string{"shopify_payments", "shopify_payments", "paypal"})}},
			{"phone", nil},
			{"po_number", nil},
			{"presentment_currency", currency},
			{"processed_at", local},
			{"reference", nil},
			{"referring_site", g.pick([]string{"https://www.google.com/", "https://www.instagram.com/", ""})},
			{"source_identifier", nil},
			{"source_name", g.pick([]string{"web", "web", "shopify_draft_order", "pos"})},
			{"source_url", nil},
			{"subtotal_price", price(subtotal)},
			{"subtotal_price_set", money(subtotal)},
			{"tags", tags},
			{"tax_exempt", false},
			{"tax_lines", []obj{{{"price", price(tax)}, {"rate", 0.08}, {"title", "State Tax"}, {"price_set", money(tax)}, {"channel_liable", false}}}},
			{"taxes_included", false},
			{"test", false},
			{"token", token},
			{"total_discounts", "0.00"},
			{"total_discounts_set", money(0)},
			{"total_line_items_price", price(subtotal)},
			{"total_line_items_price_set", money(subtotal)},
			{"total_outstanding", "0.00"},
			{"total_price", price(total)},
			{"total_price_set", money(total)},
			{"total_shipping_price_set", money(shipping)},
			{"total_tax", price(tax)},
			{"total_tax_set", money(tax)},
			{"total_tip_received", "0.00"},
			{"total_weight", g.between(100, 3000)},
			{"updated_at", local},
			{"user_id", nil},
			{"billing_address", address},
			{"customer", obj{
				{"id", customerID},
				{"email", email},
				{"created_at", local},
				{"updated_at", local},
				{"first_name", fn},
				{"last_name", ln},
				{"state", "disabled"},
				{"note", nil},
				{"verified_email", true},
				{"multipass_identifier", nil},
				{"tax_exempt", false},
				{"phone", nil},
				{"email_marketing_consent", obj{{"state", "not_subscribed"}, {"opt_in_level", "single_opt_in"}, {"consent_updated_at", nil}}},
				{"sms_marketing_consent", nil},
				{"tags", tags},
				{"currency", currency},
				{"tax_exemptions", []string{}},
				{"admin_graphql_api_id", fmt.Sprintf("gid://shopify/Customer/%d", customerID)},
				{"default_address", append(obj{{"id", customerID + 1000}, {"customer_id", customerID}}, append(address[:len(address):len(address)], field{"default", true})...)},
			}},
			{"discount_applications", []obj{}},
			{"fulfillments", []obj{}},
			{"line_items", lineItems},
			{"payment_terms", nil},
			{"refunds", []obj{}},
			{"shipping_address", address},
			{"shipping_lines", []obj{{
				{"id", int64(5100000000000 + g.between(0, 99999999))},
				{"carrier_identifier", nil},
				{"code", either(shipping > 0, "Standard", "Free Shipping")},
				{"discounted_price", price(shipping)},
				{"discounted_price_set", money(shipping)},
				{"is_removed", false},
				{"phone", nil},
				{"price", price(shipping)},
				{"price_set", money(shipping)},
				{"requested_fulfillment_service_id", nil},
				{"source", "shopify"},
				{"title", either(shipping > 0, "Standard", "Free Shipping")},
				{"tax_lines", []obj{}},
				{"discount_allocations", []obj{}},
			}}},
		}
	}
	return encode(obj{{"orders", items}}, false)
}

// parseCents reads a price such as "89.00" in cents.
func parseCents(s string) int {
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.Atoi(whole)
	f, _ := strconv.Atoi(frac)
	return w*100 + f
}
