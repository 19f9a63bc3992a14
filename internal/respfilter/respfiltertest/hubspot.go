package respfiltertest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// contactsPage returns 30 contacts as a CRM's GET /crm/v3/objects/contacts
// lists them, with the properties a sales team asks for:
// {"results":[{"id","properties":{...},"createdAt","updatedAt",
// "archived"}],"paging":{"next":{...}}}. Every property value is a
// string or null, as the CRM sends them.
func contactsPage() []byte {
	g := newGen(80)
	first, last := lines(poolFirstNames), lines(poolLastNames)
	companies, titles, cities := lines(poolCompanies), lines(poolJobTitles), lines(poolCities)
	c := clock{g: g, now: pageStart()}
	ms := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	items := make([]obj, 30)
	id := 98400
	for i := range items {
		id += g.between(1, 80)
		created := c.next(60, 4000).Add(time.Duration(g.between(0, 999)) * time.Millisecond)
		modified := g.after(created, 10, 20000).Add(time.Duration(g.between(0, 999)) * time.Millisecond)
		fn, ln := g.pick(first), g.pick(last)
		co := strings.Split(g.pick(companies), "|")
		city := strings.Split(g.pick(cities), "|")
		email := strings.ToLower(fn[:1]+ln) + "@" + co[1]
		nullable := func(p float64, v string) any {
			if g.chance(p) {
				return nil
			}
			return v
		}
		stage := g.pick([]string{"subscriber", "lead", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"})
		var leadStatus any = g.pick([]string{"NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED"})
		if stage == "subscriber" || stage == "customer" {
			leadStatus = nil
		}
		sid := strconv.Itoa(id)
		items[i] = obj{
			{"id", sid},
			{"properties", obj{
				{"city", nullable(0.2, city[0])},
				{"company", co[0]},
				{"country", nullable(0.2, city[3])},
				{"createdate", ms(created)},
				{"email", email},
				{"firstname", fn},
				{"hs_analytics_source", g.pick([]string{"ORGANIC_SEARCH", "DIRECT_TRAFFIC", "REFERRALS", "PAID_SEARCH", "OFFLINE"})},
				{"hs_email_domain", co[1]},
				{"hs_lead_status", leadStatus},
				{"hs_object_id", sid},
				{"hubspot_owner_id", nullable(0.3, strconv.Itoa(61200000+g.between(0, 40)*17))},
				{"jobtitle", nullable(0.25, g.pick(titles))},
				{"lastmodifieddate", ms(modified)},
				{"lastname", ln},
				{"lifecyclestage", stage},
				{"notes_last_updated", nullable(0.5, ms(g.after(created, 60, 9000)))},
				{"num_contacted_notes", nullable(0.4, strconv.Itoa(g.between(0, 12)))},
				{"phone", nullable(0.35, fmt.Sprintf("+1 (%03d) 555-%04d", g.between(200, 989), g.between(0, 9999)))},
				{"website", nullable(0.3, "https://www."+co[1])},
			}},
			{"createdAt", ms(created)},
			{"updatedAt", ms(modified)},
			{"archived", false},
		}
	}
	after := strconv.Itoa(id + 1)
	return encode(obj{
		{"results", items},
		{"paging", obj{{"next", obj{{"after", after}, {"link", "https://api.hubapi.com/crm/v3/objects/contacts?limit=30&after=" + after}}}}},
	}, false)
}
