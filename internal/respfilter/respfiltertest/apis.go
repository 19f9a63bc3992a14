package respfiltertest

// API is one page of 30 items in the wire shape of a well-known public
// API, as that API returns it: every URL field, node id, nested user and
// repository object, money set and null it carries.
type API struct {
	// Name is short and has no spaces, for test and file names, e.g.
	// "github_issues".
	Name string
	// Endpoint is the request that returns such a page, e.g.
	// "GET /repos/{owner}/{repo}/issues".
	Endpoint string
	// Body is the response body, JSON.
	Body []byte
	// List is the dotted path of the list of items from the root, e.g.
	// "data"; "" when the root is the list.
	List string
	// ID is the dotted path, within an item, of the field that identifies
	// it, e.g. "number" or "sha".
	ID string
	// Essentials are the dotted paths, within an item, of what a model
	// needs of every record to tell the records apart and answer from the
	// page: its identity, a name or title, its state and its main date.
	Essentials []string
	// Excerpt is the dotted path of the item's long text (a body, a
	// description), of which a model wants the first sentence when the
	// budget leaves room; "" when the item has none.
	Excerpt string
}

// Items is the number of items on every page.
const Items = 30

// builders returns the function building each API's page, in the order
// APIs lists them.
func builders() []func() API {
	return []func() API{
		func() API {
			return API{"github_issues", "GET /repos/{owner}/{repo}/issues", issuesPage(), "", "number",
				[]string{"number", "title", "state", "user.login", "created_at"}, "body"}
		},
		func() API {
			return API{"github_pulls", "GET /repos/{owner}/{repo}/pulls", pullsPage(), "", "number",
				[]string{"number", "title", "state", "user.login", "created_at"}, "body"}
		},
		func() API {
			return API{"github_commits", "GET /repos/{owner}/{repo}/commits", commitsPage(), "", "sha",
				[]string{"sha", "commit.message", "commit.author.name", "commit.author.date"}, ""}
		},
		func() API {
			return API{"github_workflow_runs", "GET /repos/{owner}/{repo}/actions/runs", workflowRunsPage(), "workflow_runs", "id",
				[]string{"id", "display_title", "status", "conclusion", "created_at"}, ""}
		},
		func() API {
			return API{"stripe_charges", "GET /v1/charges", chargesPage(), "data", "id",
				[]string{"id", "amount", "currency", "status", "created"}, "description"}
		},
		func() API {
			return API{"shopify_orders", "GET /admin/api/2024-10/orders.json", ordersPage(), "orders", "id",
				[]string{"id", "name", "total_price", "financial_status", "created_at"}, ""}
		},
		func() API {
			return API{"zendesk_tickets", "GET /api/v2/tickets", ticketsPage(), "tickets", "id",
				[]string{"id", "subject", "status", "priority", "created_at"}, "description"}
		},
		func() API {
			return API{"hubspot_contacts", "GET /crm/v3/objects/contacts", contactsPage(), "results", "id",
				[]string{"id", "properties.firstname", "properties.lastname", "properties.email", "properties.lifecyclestage"}, ""}
		},
	}
}

// APIs returns the pages of every API: a code host's issues, pull
// requests, commits and workflow runs, a payment API's charges, a shop's
// orders, a help desk's tickets and a CRM's contacts. The values are drawn
// from fixed seeds, so every call returns the same bytes.
func APIs() []API {
	bs := builders()
	out := make([]API, len(bs))
	for i, b := range bs {
		out[i] = b()
	}
	return out
}

// Page returns the body of the named API's page ("github_issues", …), and
// false when no API has that name.
func Page(name string) ([]byte, bool) {
	for _, b := range builders() {
		if api := b(); api.Name == name {
			return api.Body, true
		}
	}
	return nil, false
}
