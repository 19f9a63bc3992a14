package respfiltertest

import (
	"fmt"
	"strings"
	"time"
)

// chargesPage returns 30 charges as a payment API's GET /v1/charges lists
// them: {"object":"list","data":[...],"has_more":true,"url":"/v1/charges"},
// each with its billing details, outcome, card details, metadata and
// refunds.
func chargesPage() []byte {
	g := newGen(50)
	first, last := lines(poolFirstNames), lines(poolLastNames)
	cities, streets, descriptions := lines(poolCities), lines(poolStreets), lines(poolChargeDescriptions)
	c := clock{g: g, now: pageStart()}
	items := make([]obj, 30)
	for i := range items {
		id := "ch_3Q" + g.chars(base62, 22)
		created := c.next(4, 300)
		name := g.pick(first) + " " + g.pick(last)
		email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + g.pick([]string{"gmail.com", "outlook.com", "icloud.com", "proton.me"})
		city := strings.Split(g.pick(cities), "|")
		amount := g.between(5, 400) * 100
		if g.chance(0.5) {
			amount += g.between(1, 99)
		}
		currency := "usd"
		if city[4] == "CA" {
			currency = "cad"
		}
		status, paid, captured := "succeeded", true, true
		failureCode, failureMessage, outcome := any(nil), any(nil), g.outcome(false)
		if i%11 == 3 || g.chance(0.05) {
			status, paid, captured = "failed", false, false
			failureCode, failureMessage = "card_declined", "Your card was declined."
			outcome = g.outcome(true)
		}
		refunded, amountRefunded := false, 0
		refunds := []obj{}
		if status == "succeeded" && g.chance(0.15) {
			amountRefunded = amount
			if g.chance(0.5) {
				amountRefunded = amount / 2
			}
			refunded = amountRefunded == amount
			refunds = append(refunds, obj{
				{"id", "re_3Q" + g.chars(base62, 22)},
				{"object", "refund"},
				{"amount", amountRefunded},
				{"balance_transaction", "txn_3Q" + g.chars(base62, 22)},
				{"charge", id},
				{"created", created.Add(72 * time.Hour).Unix()},
				{"currency", currency},
				{"destination_details", obj{{"card", obj{{"reference", g.chars("0123456789", 12)}, {"reference_status", "available"}, {"reference_type", "acquirer_reference_number"}, {"type", "refund"}}}, {"type", "card"}}},
				{"metadata", obj{}},
				{"payment_intent", "pi_3Q" + g.chars(base62, 22)},
				{"reason", g.pick([]string{"requested_by_customer", "duplicate"})},
				{"receipt_number", nil},
				{"source_transfer_reversal", nil},
				{"status", "succeeded"},
				{"transfer_reversal", nil},
			})
		}
		brand := g.pick([]string{"visa", "visa", "mastercard", "amex"})
		last4 := g.chars("0123456789", 4)
		customer := any("cus_" + g.chars(base62, 14))
		if g.chance(0.2) {
			customer = nil
		}
		metadata := obj{}
		if g.chance(0.6) {
			metadata = obj{{"order_id", fmt.Sprintf("%d", 4800+g.between(0, 99))}, {"channel", g.pick([]string{"web", "ios", "android"})}}
		}
		var line2 any
		if g.chance(0.3) {
			line2 = fmt.Sprintf("Apt %d", g.between(2, 40))
		}
		items[i] = obj{
			{"id", id},
			{"object", "charge"},
			{"amount", amount},
			{"amount_captured", either(captured, amount, 0)},
			{"amount_refunded", amountRefunded},
			{"application", nil},
			{"application_fee", nil},
			{"application_fee_amount", nil},
			{"balance_transaction", either(paid, "txn_3Q"+g.chars(base62, 22), nil)},
			{"billing_details", obj{
				{"address", obj{{"city", city[0]}, {"country", city[4]}, {"line1", g.pick(streets)}, {"line2", line2}, {"postal_code", city[5]}, {"state", city[2]}}},
				{"email", email},
				{"name", name},
				{"phone", nil},
				{"tax_id", nil},
			}},
			{"calculated_statement_descriptor", "HARBOR GOODS"},
			{"captured", captured},
			{"created", created.Unix()},
			{"currency", currency},
			{"customer", customer},
			{"description", g.pick(descriptions)},
			{"destination", nil},
			{"dispute", nil},
			{"disputed", false},
			{"failure_balance_transaction", nil},
			{"failure_code", failureCode},
			{"failure_message", failureMessage},
			{"fraud_details", obj{}},
			{"invoice", nil},
			{"livemode", true},
			{"metadata", metadata},
			{"on_behalf_of", nil},
			{"order", nil},
			{"outcome", outcome},
			{"paid", paid},
			{"payment_intent", "pi_3Q" + g.chars(base62, 22)},
			{"payment_method", "pm_1Q" + g.chars(base62, 22)},
			{"payment_method_details", obj{
				{"card", obj{
					{"amount_authorized", either(paid, amount, nil)},
					{"authorization_code", either(paid, g.chars("0123456789", 6), nil)},
					{"brand", brand},
					{"checks", obj{{"address_line1_check", "pass"}, {"address_postal_code_check", g.pick([]string{"pass", "pass", "unavailable"})}, {"cvc_check", "pass"}}},
					{"country", city[4]},
					{"exp_month", g.between(1, 12)},
					{"exp_year", g.between(2027, 2031)},
					{"extended_authorization", obj{{"status", "disabled"}}},
					{"fingerprint", g.chars(base62, 16)},
					{"funding", g.pick([]string{"credit", "credit", "debit"})},
					{"incremental_authorization", obj{{"status", "unavailable"}}},
					{"installments", nil},
					{"last4", last4},
					{"mandate", nil},
					{"multicapture", obj{{"status", "unavailable"}}},
					{"network", brand},
					{"network_token", obj{{"used", false}}},
					{"network_transaction_id", g.chars("0123456789", 15)},
					{"overcapture", obj{{"maximum_amount_capturable", amount}, {"status", "unavailable"}}},
					{"regulated_status", "unregulated"},
					{"three_d_secure", nil},
					{"wallet", nil},
				}},
				{"type", "card"},
			}},
			{"radar_options", obj{}},
			{"receipt_email", email},
			{"receipt_number", nil},
			{"receipt_url", "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8x" + g.chars(base64url, 90)},
			{"refunded", refunded},
			{"refunds", obj{{"object", "list"}, {"data", refunds}, {"has_more", false}, {"total_count", len(refunds)}, {"url", "/v1/charges/" + id + "/refunds"}}},
			{"review", nil},
			{"shipping", nil},
			{"source", nil},
			{"source_transfer", nil},
			{"statement_descriptor", nil},
			{"statement_descriptor_suffix", nil},
			{"status", status},
			{"transfer_data", nil},
			{"transfer_group", nil},
		}
	}
	return encode(obj{{"object", "list"}, {"data", items}, {"has_more", true}, {"url", "/v1/charges"}}, true)
}

// outcome returns a charge's risk outcome.
func (g *gen) outcome(declined bool) obj {
	score := g.between(2, 60)
	if declined {
		return obj{
			{"advice_code", "try_again_later"}, {"network_advice_code", nil}, {"network_decline_code", "05"},
			{"network_status", "declined_by_network"}, {"reason", "generic_decline"}, {"risk_level", "normal"},
			{"risk_score", score}, {"seller_message", "The bank did not return any further details with this decline."}, {"type", "issuer_declined"},
		}
	}
	level := "normal"
	if score > 55 {
		level = "elevated"
	}
	return obj{
		{"advice_code", nil}, {"network_advice_code", nil}, {"network_decline_code", nil},
		{"network_status", "approved_by_network"}, {"reason", nil}, {"risk_level", level},
		{"risk_score", score}, {"seller_message", "Payment complete."}, {"type", "authorized"},
	}
}
