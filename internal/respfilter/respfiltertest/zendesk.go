package respfiltertest

import (
	"fmt"
	"strings"
)

// ticketsPage returns 30 tickets as a help desk's GET /api/v2/tickets
// lists them: {"tickets":[...],"next_page":...,"previous_page":null,
// "count":...}, each with how it came in, custom fields, tags and its
// satisfaction rating.
func ticketsPage() []byte {
	g := newGen(70)
	subjects, sentences := g.newDeck(lines(poolTicketSubjects)), lines(poolTicketSentences)
	first, last := lines(poolFirstNames), lines(poolLastNames)
	c := clock{g: g, now: pageStart()}
	const host = "https://harborgoods.zendesk.com"
	items := make([]obj, 30)
	id := 48215
	for i := range items {
		id -= g.between(1, 6)
		created := c.next(10, 700)
		updated := g.after(created, 3, 2000)
		subject := subjects.next()
		description := g.sentences(sentences, g.between(3, 6))
		channel := g.pick([]string{"email", "email", "web", "chat", "api"})
		name := g.pick(first) + " " + g.pick(last)
		email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + g.pick([]string{"gmail.com", "outlook.com", "yahoo.com"})
		via := obj{{"channel", channel}, {"source", obj{{"from", obj{}}, {"to", obj{}}, {"rel", nil}}}}
		if channel == "email" {
			via = obj{{"channel", "email"}, {"source", obj{
				{"from", obj{{"address", email}, {"name", name}}},
				{"to", obj{{"name", "Harbor Goods Support"}, {"address", "support@harborgoods.com"}}},
				{"rel", nil},
			}}}
		}
		status := g.pick([]string{"new", "open", "open", "pending", "hold", "solved", "closed"})
		priority := any(g.pick([]string{"low", "normal", "normal", "high", "urgent"}))
		if g.chance(0.2) {
			priority = nil
		}
		typ := any(g.pick([]string{"question", "incident", "problem", "task"}))
		if g.chance(0.25) {
			typ = nil
		}
		var assignee, group any
		if status != "new" {
			assignee, group = int64(381900000000+g.between(0, 40)*7), int64(360001234567+g.between(0, 3))
		}
		tags := []string{}
		for _, t := range []string{"shipping", "refund", "billing", "vip", "damaged", "login", "order_change"} {
			if g.chance(0.2) {
				tags = append(tags, t)
			}
		}
		reason := any(g.pick([]string{"shipping_delay", "damaged_item", "billing_issue", "account_access", "order_change"}))
		orderNo := any(fmt.Sprintf("#%d", 5300+g.between(0, 120)))
		if g.chance(0.3) {
			orderNo = nil
		}
		custom := []obj{
			{{"id", int64(360019876501)}, {"value", reason}},
			{{"id", int64(360019876502)}, {"value", orderNo}},
			{{"id", int64(360019876503)}, {"value", g.chance(0.3)}},
			{{"id", int64(360019876504)}, {"value", nil}},
		}
		rating := obj{{"score", "unoffered"}}
		if status == "solved" || status == "closed" {
			switch g.r.IntN(3) {
			case 0:
				rating = obj{{"score", "offered"}}
			case 1:
				rating = obj{{"id", int64(25100000000 + g.between(0, 99999))}, {"score", "good"}, {"comment", "Quick and friendly, thank you!"}, {"reason", "No reason provided"}, {"reason_id", 0}}
			default:
				rating = obj{{"id", int64(25100000000 + g.between(0, 99999))}, {"score", "bad"}, {"comment", "Took a week to get an answer."}, {"reason", "Issue took too long to resolve"}, {"reason_id", 7}}
			}
		}
		requester := int64(389100000000 + g.between(0, 999999))
		var org any
		if g.chance(0.3) {
			org = int64(360040001000 + g.between(0, 50))
		}
		var due any
		if typ == "task" {
			due = iso(g.after(created, 1440, 10080))
		}
		collaborators := []int64{}
		if g.chance(0.2) {
			collaborators = append(collaborators, int64(389100000000+g.between(0, 999999)))
		}
		items[i] = obj{
			{"url", fmt.Sprintf("%s/api/v2/tickets/%d.json", host, id)},
			{"id", id},
			{"external_id", nil},
			{"via", via},
			{"created_at", iso(created)},
			{"updated_at", iso(updated)},
			{"generated_timestamp", updated.Unix()},
			{"type", typ},
			{"subject", subject},
			{"raw_subject", subject},
			{"description", description},
			{"priority", priority},
			{"status", status},
			{"recipient", either(channel == "email", "support@harborgoods.com", nil)},
			{"requester_id", requester},
			{"submitter_id", requester},
			{"assignee_id", assignee},
			{"organization_id", org},
			{"group_id", group},
			{"collaborator_ids", collaborators},
			{"follower_ids", collaborators},
			{"email_cc_ids", []int64{}},
			{"forum_topic_id", nil},
			{"problem_id", nil},
			{"has_incidents", false},
			{"is_public", true},
			{"due_at", due},
			{"tags", tags},
			{"custom_fields", custom},
			{"satisfaction_rating", rating},
			{"sharing_agreement_ids", []int64{}},
			{"custom_status_id", int64(360009000001 + g.between(0, 5))},
			{"encoded_id", fmt.Sprintf("%s-%s", g.chars("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6), g.chars("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 5))},
			{"fields", custom},
			{"followup_ids", []int64{}},
			{"ticket_form_id", int64(360000111222)},
			{"brand_id", int64(360000333444)},
			{"allow_channelback", false},
			{"allow_attachments", true},
			{"from_messaging_channel", channel == "chat"},
		}
	}
	return encode(obj{
		{"tickets", items},
		{"next_page", host + "/api/v2/tickets.json?page=2&per_page=30"},
		{"previous_page", nil},
		{"count", 1487},
	}, false)
}
