package respfiltertest

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Hosts of the code host's API, web pages and avatars.
const (
	ghAPI     = "https://api.github.com"
	ghWeb     = "https://github.com"
	ghAvatars = "https://avatars.githubusercontent.com"
)

// ghOwner and ghRepo name the repository the pages are listed from.
const (
	ghOwner   = "harborlabs"
	ghRepo    = "tidepool"
	ghOwnerID = 91234567
	ghRepoID  = 702318845
)

// gh draws the values shared by the code host's pages.
type gh struct {
	*gen
	// logins are the users' handles, names their names by handle.
	logins []string
	names  map[string]string
	// users and repos hold the objects already built, by login and by
	// owner: a page repeats them, as the API does.
	users, repos map[string]obj
}

// newGH returns a code host generator seeded with seed.
func newGH(seed uint64) *gh {
	g := &gh{gen: newGen(seed), names: map[string]string{}, users: map[string]obj{}, repos: map[string]obj{}}
	for _, l := range lines(poolLogins) {
		login, name, _ := strings.Cut(l, "|")
		g.logins = append(g.logins, login)
		g.names[login] = name
	}
	return g
}

// loginID returns the fixed numeric id of a login.
func loginID(login string) int64 {
	var h int64 = 1469598103
	for _, c := range login {
		h = (h*131 + int64(c)) % 98000000
	}
	return 1000000 + h
}

// nodeID returns a legacy node id: base64 of "NN:Type" and the number.
func nodeID(kind string, id int64) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%02d:%s%d", len(kind), kind, id))
}

// user returns a user object of a login.
func (g *gh) user(login string) obj {
	if u, ok := g.users[login]; ok {
		return u
	}
	id := loginID(login)
	typ := "User"
	if login == ghOwner {
		id, typ = ghOwnerID, "Organization"
	}
	u := ghAPI + "/users/" + login
	o := obj{
		{"login", login},
		{"id", id},
		{"node_id", nodeID(typ, id)},
		{"avatar_url", fmt.Sprintf("%s/u/%d?v=4", ghAvatars, id)},
		{"gravatar_id", ""},
		{"url", u},
		{"html_url", ghWeb + "/" + login},
		{"followers_url", u + "/followers"},
		{"following_url", u + "/following{/other_user}"},
		{"gists_url", u + "/gists{/gist_id}"},
		{"starred_url", u + "/starred{/owner}{/repo}"},
		{"subscriptions_url", u + "/subscriptions"},
		{"organizations_url", u + "/orgs"},
		{"repos_url", u + "/repos"},
		{"events_url", u + "/events{/privacy}"},
		{"received_events_url", u + "/received_events"},
		{"type", typ},
		{"user_view_type", "public"},
		{"site_admin", false},
	}
	g.users[login] = o
	return o
}

// someUser returns a random user's login.
func (g *gh) someUser() string { return g.pick(g.logins) }

// labels returns up to n distinct labels of the repository.
func (g *gh) labels(n int) []obj {
	pool := lines(poolLabels)
	idx := g.r.Perm(len(pool))
	out := make([]obj, 0, n)
	for _, i := range idx[:n] {
		p := strings.Split(pool[i], "|")
		id := int64(5200000000 + i*7919)
		out = append(out, obj{
			{"id", id},
			{"node_id", "LA_kwDOKdPb" + g.chars(base62, 10)},
			{"url", fmt.Sprintf("%s/repos/%s/%s/labels/%s", ghAPI, ghOwner, ghRepo, strings.ReplaceAll(p[0], " ", "%20"))},
			{"name", p[0]},
			{"color", p[1]},
			{"default", i < 7},
			{"description", p[2]},
		})
	}
	return out
}

// milestone returns one of the repository's milestones.
func (g *gh) milestone() obj {
	n := g.between(9, 14)
	u := fmt.Sprintf("%s/repos/%s/%s/milestones/%d", ghAPI, ghOwner, ghRepo, n)
	open := g.between(3, 40)
	return obj{
		{"url", u},
		{"html_url", fmt.Sprintf("%s/%s/%s/milestone/%d", ghWeb, ghOwner, ghRepo, n)},
		{"labels_url", u + "/labels"},
		{"id", int64(11900000 + n*313)},
		{"node_id", "MI_kwDOKdPbzc4" + g.chars(base62, 5)},
		{"number", n},
		{"title", fmt.Sprintf("v3.%d", n-5)},
		{"description", fmt.Sprintf("Fixes and features planned for the 3.%d release.", n-5)},
		{"creator", g.user("lena-kowalski")},
		{"open_issues", open},
		{"closed_issues", g.between(10, 120)},
		{"state", "open"},
		{"created_at", iso(pageStart().AddDate(0, -n, 0))},
		{"updated_at", iso(pageStart().Add(-time.Duration(g.between(1, 90)) * time.Hour))},
		{"due_on", iso(pageStart().AddDate(0, n-9, 1).Truncate(24 * time.Hour).Add(8 * time.Hour))},
		{"closed_at", nil},
	}
}

// reactions returns the reactions summary of an issue or comment.
func (g *gh) reactions(u string) obj {
	counts := make([]int, 8)
	total := 0
	if g.chance(0.6) {
		for i := range counts {
			if g.chance(0.3) {
				counts[i] = g.between(1, 9)
				total += counts[i]
			}
		}
	}
	return obj{
		{"url", u + "/reactions"},
		{"total_count", total},
		{"+1", counts[0]}, {"-1", counts[1]}, {"laugh", counts[2]}, {"hooray", counts[3]},
		{"confused", counts[4]}, {"heart", counts[5]}, {"rocket", counts[6]}, {"eyes", counts[7]},
	}
}

// body returns a markdown body of several sentences; some follow an issue
// template, some hold a log excerpt or a list.
func (g *gh) body() string {
	s := lines(poolIssueSentences)
	var b strings.Builder
	switch g.r.IntN(4) {
	case 0:
		fmt.Fprintf(&b, "### Describe the bug\n\n%s\n\n%s\n\n### Steps to reproduce\n\n1. Open the project settings\n2. %s\n3. %s\n\n### Expected behavior\n\n%s\n\n### Environment\n\n- Version: 3.%d.%d\n- OS: %s\n",
			g.sentences(s, 3), g.sentences(s, 3), g.pick(s), g.pick(s), g.sentences(s, 3), g.between(2, 8), g.between(0, 9),
			g.pick([]string{"macOS 15.1", "Ubuntu 24.04", "Windows 11", "Debian 12"}))
	case 1:
		fmt.Fprintf(&b, "%s\n\n```\n%s ERROR worker: job %d failed: context deadline exceeded\n%s WARN  retrying in %ds (attempt %d of 5)\n```\n\n%s",
			g.sentences(s, 4), iso(pageStart().Add(-time.Duration(g.between(1, 500))*time.Hour)), g.between(1000, 99999),
			iso(pageStart().Add(-time.Duration(g.between(1, 500))*time.Hour)), g.between(2, 30), g.between(1, 4), g.sentences(s, 4))
	case 2:
		fmt.Fprintf(&b, "%s\n\n**Proposal**\n\n- %s\n- %s\n- %s\n\n%s", g.sentences(s, 5), g.pick(s), g.pick(s), g.pick(s), g.sentences(s, 4))
	default:
		b.WriteString(g.sentences(s, g.between(4, 8)) + "\n\n" + g.sentences(s, g.between(2, 5)))
	}
	return b.String()
}

// authorAssociation returns how an author relates to the repository.
func (g *gh) authorAssociation() string {
	return g.pick([]string{"NONE", "CONTRIBUTOR", "MEMBER", "COLLABORATOR", "FIRST_TIME_CONTRIBUTOR", "OWNER"})
}

// repo returns the repository object of a page: the full one of a pull
// request's head and base when full, the minimal one of a workflow run
// otherwise.
func (g *gh) repo(owner, name string, id int64, full bool) obj {
	key := fmt.Sprint(owner, "/", name, full)
	if r, ok := g.repos[key]; ok {
		return r
	}
	u := fmt.Sprintf("%s/repos/%s/%s", ghAPI, owner, name)
	o := obj{
		{"id", id},
		{"node_id", "R_kgDOKdPb" + strconv.FormatInt(id%100000, 10)},
		{"name", name},
		{"full_name", owner + "/" + name},
		{"private", false},
		{"owner", g.user(owner)},
		{"html_url", fmt.Sprintf("%s/%s/%s", ghWeb, owner, name)},
		{"description", "Self-hosted data pipeline for tide and weather stations"},
		{"fork", owner != ghOwner},
		{"url", u},
	}
	for _, l := range lines(poolRepoLinks) {
		k, path, _ := strings.Cut(l, "|")
		o = append(o, field{k + "_url", u + "/" + path})
	}
	if full {
		o = append(o, g.repoDetails(owner, name)...)
	}
	g.repos[key] = o
	return o
}

// repoDetails returns the fields of a full repository object after its
// links: dates, clone URLs, counts, settings and license.
func (g *gh) repoDetails(owner, name string) obj {
	created := time.Date(2023, 9, 14, 9, 30, 11, 0, time.UTC)
	return obj{
		{"created_at", iso(created)},
		{"updated_at", iso(pageStart().Add(-time.Duration(g.between(1, 48)) * time.Hour))},
		{"pushed_at", iso(pageStart().Add(-time.Duration(g.between(1, 300)) * time.Minute))},
		{"git_url", fmt.Sprintf("git://github.com/%s/%s.git", owner, name)},
		{"ssh_url", fmt.Sprintf("git@github.com:%s/%s.git", owner, name)},
		{"clone_url", fmt.Sprintf("%s/%s/%s.git", ghWeb, owner, name)},
		{"svn_url", fmt.Sprintf("%s/%s/%s", ghWeb, owner, name)},
		{"homepage", "https://tidepool.dev"},
		{"size", 48213},
		{"stargazers_count", 2318},
		{"watchers_count", 2318},
		{"language", "Go"},
		{"has_issues", owner == ghOwner},
		{"has_projects", true},
		{"has_downloads", true},
		{"has_wiki", false},
		{"has_pages", false},
		{"has_discussions", owner == ghOwner},
		{"forks_count", 214},
		{"mirror_url", nil},
		{"archived", false},
		{"disabled", false},
		{"open_issues_count", 187},
		{"license", obj{{"key", "apache-2.0"}, {"name", "Apache License 2.0"}, {"spdx_id", "Apache-2.0"}, {"url", ghAPI + "/licenses/apache-2.0"}, {"node_id", "MDc6TGljZW5zZTI="}}},
		{"allow_forking", true},
		{"is_template", false},
		{"web_commit_signoff_required", false},
		{"topics", []string{"data-pipeline", "golang", "iot", "self-hosted", "time-series"}},
		{"visibility", "public"},
		{"forks", 214},
		{"open_issues", 187},
		{"watchers", 2318},
		{"default_branch", "main"},
	}
}

// issuesPage returns 30 issues as GET /repos/{owner}/{repo}/issues lists
// them: newest first, open and closed, some of them pull requests.
func issuesPage() []byte {
	g := newGH(10)
	titles := g.newDeck(lines(poolIssueTitles))
	c := clock{g: g.gen, now: pageStart()}
	items := make([]obj, 30)
	number := 4281
	for i := range items {
		number -= g.between(1, 4)
		created := c.next(20, 900)
		updated := g.after(created, 5, 4000)
		author := g.someUser()
		base := fmt.Sprintf("%s/repos/%s/%s/issues/%d", ghAPI, ghOwner, ghRepo, number)
		isPull := g.chance(0.25)
		state, stateReason, closedAt := "open", any(nil), any(nil)
		if g.chance(0.35) {
			closed := g.after(created, 30, 6000)
			state, closedAt = "closed", iso(closed)
			stateReason = g.pick([]string{"completed", "completed", "not_planned"})
			if closed.After(updated) {
				updated = closed
			}
		}
		var assignee any
		assignees := []obj{}
		if g.chance(0.6) {
			a := g.user(g.someUser())
			assignee, assignees = a, []obj{a}
			if g.chance(0.35) {
				assignees = append(assignees, g.user(g.someUser()))
			}
		}
		var milestone any
		if g.chance(0.55) {
			milestone = g.milestone()
		}
		var body any = g.body()
		if g.chance(0.1) {
			body = nil
		}
		it := obj{
			{"url", base},
			{"repository_url", fmt.Sprintf("%s/repos/%s/%s", ghAPI, ghOwner, ghRepo)},
			{"labels_url", base + "/labels{/name}"},
			{"comments_url", base + "/comments"},
			{"events_url", base + "/events"},
			{"html_url", fmt.Sprintf("%s/%s/%s/issues/%d", ghWeb, ghOwner, ghRepo, number)},
			{"id", int64(2600000000 + number*1741 + g.between(0, 999))},
			{"node_id", "I_kwDOKdPb" + g.chars(base62, 9)},
			{"number", number},
			{"title", titles.next()},
			{"user", g.user(author)},
			{"labels", g.labels(g.between(0, 4))},
			{"state", state},
			{"locked", false},
			{"assignee", assignee},
			{"assignees", assignees},
			{"milestone", milestone},
			{"comments", g.between(0, 24)},
			{"created_at", iso(created)},
			{"updated_at", iso(updated)},
			{"closed_at", closedAt},
			{"author_association", g.authorAssociation()},
			{"type", nil},
			{"active_lock_reason", nil},
			{"sub_issues_summary", obj{{"total", 0}, {"completed", 0}, {"percent_completed", 0}}},
			{"issue_dependencies_summary", obj{{"blocked_by", 0}, {"total_blocked_by", 0}, {"blocking", 0}, {"total_blocking", 0}}},
		}
		if isPull {
			pu := fmt.Sprintf("%s/%s/%s/pull/%d", ghWeb, ghOwner, ghRepo, number)
			var merged any
			if state == "closed" && stateReason == "completed" {
				merged = closedAt
			}
			it = append(it, field{"draft", g.chance(0.2)}, field{"pull_request", obj{
				{"url", fmt.Sprintf("%s/repos/%s/%s/pulls/%d", ghAPI, ghOwner, ghRepo, number)},
				{"html_url", pu},
				{"diff_url", pu + ".diff"},
				{"patch_url", pu + ".patch"},
				{"merged_at", merged},
			}})
		}
		it = append(it, obj{
			{"body", body},
			{"reactions", g.reactions(base)},
			{"timeline_url", base + "/timeline"},
			{"performed_via_github_app", nil},
			{"state_reason", stateReason},
		}...)
		items[i] = it
	}
	return encode(items, true)
}

// pullsPage returns 30 pull requests as GET /repos/{owner}/{repo}/pulls
// lists them: each with its head and base, and each of those with its
// whole repository.
func pullsPage() []byte {
	g := newGH(20)
	titles, branches, sentences := g.newDeck(lines(poolPullTitles)), lines(poolBranches), lines(poolIssueSentences)
	c := clock{g: g.gen, now: pageStart()}
	items := make([]obj, 30)
	number := 4290
	for i := range items {
		number -= g.between(1, 5)
		created := c.next(30, 1200)
		updated := g.after(created, 5, 3000)
		author := g.someUser()
		api := fmt.Sprintf("%s/repos/%s/%s", ghAPI, ghOwner, ghRepo)
		web := fmt.Sprintf("%s/%s/%s/pull/%d", ghWeb, ghOwner, ghRepo, number)
		state, closedAt, mergedAt, mergeSHA := "open", any(nil), any(nil), any(g.sha())
		if g.chance(0.3) {
			closed := g.after(created, 60, 5000)
			state, closedAt = "closed", iso(closed)
			if g.chance(0.8) {
				mergedAt = closedAt
			}
		}
		branch := g.pick(branches)
		headOwner, headRepoID := ghOwner, int64(ghRepoID)
		if g.chance(0.4) {
			headOwner, headRepoID = author, 800000000+loginID(author)
		}
		headSHA := g.sha()
		reviewers := []obj{}
		for range g.between(0, 2) {
			reviewers = append(reviewers, g.user(g.someUser()))
		}
		var body any = g.sentences(sentences, g.between(2, 5)) + fmt.Sprintf("\n\nFixes #%d\n\n## Checklist\n\n- [x] Tests added\n- [%s] Docs updated", number-g.between(3, 40), g.pick([]string{"x", " "}))
		if g.chance(0.12) {
			body = nil
		}
		var milestone any
		if g.chance(0.3) {
			milestone = g.milestone()
		}
		var assignee any
		assignees := []obj{}
		if g.chance(0.4) {
			a := g.user(g.someUser())
			assignee, assignees = a, []obj{a}
		}
		link := func(h string) obj { return obj{{"href", h}} }
		ref := func(label, refName, sha, owner string, repoID int64) obj {
			return obj{{"label", label}, {"ref", refName}, {"sha", sha}, {"user", g.user(owner)}, {"repo", g.repo(owner, ghRepo, repoID, true)}}
		}
		items[i] = obj{
			{"url", fmt.Sprintf("%s/pulls/%d", api, number)},
			{"id", int64(2100000000 + number*2473 + g.between(0, 999))},
			{"node_id", "PR_kwDOKdPb" + g.chars(base62, 10)},
			{"html_url", web},
			{"diff_url", web + ".diff"},
			{"patch_url", web + ".patch"},
			{"issue_url", fmt.Sprintf("%s/issues/%d", api, number)},
			{"number", number},
			{"state", state},
			{"locked", false},
			{"title", titles.next()},
			{"user", g.user(author)},
			{"body", body},
			{"created_at", iso(created)},
			{"updated_at", iso(updated)},
			{"closed_at", closedAt},
			{"merged_at", mergedAt},
			{"merge_commit_sha", mergeSHA},
			{"assignee", assignee},
			{"assignees", assignees},
			{"requested_reviewers", reviewers},
			{"requested_teams", []obj{}},
			{"labels", g.labels(g.between(0, 2))},
			{"milestone", milestone},
			{"draft", state == "open" && g.chance(0.2)},
			{"commits_url", fmt.Sprintf("%s/pulls/%d/commits", api, number)},
			{"review_comments_url", fmt.Sprintf("%s/pulls/%d/comments", api, number)},
			{"review_comment_url", api + "/pulls/comments{/number}"},
			{"comments_url", fmt.Sprintf("%s/issues/%d/comments", api, number)},
			{"statuses_url", api + "/statuses/" + headSHA},
			{"head", ref(headOwner+":"+branch, branch, headSHA, headOwner, headRepoID)},
			{"base", ref(ghOwner+":main", "main", g.sha(), ghOwner, ghRepoID)},
			{"_links", obj{
				{"self", link(fmt.Sprintf("%s/pulls/%d", api, number))},
				{"html", link(web)},
				{"issue", link(fmt.Sprintf("%s/issues/%d", api, number))},
				{"comments", link(fmt.Sprintf("%s/issues/%d/comments", api, number))},
				{"review_comments", link(fmt.Sprintf("%s/pulls/%d/comments", api, number))},
				{"review_comment", link(api + "/pulls/comments{/number}")},
				{"commits", link(fmt.Sprintf("%s/pulls/%d/commits", api, number))},
				{"statuses", link(api + "/statuses/" + headSHA)},
			}},
			{"author_association", g.authorAssociation()},
			{"auto_merge", nil},
			{"active_lock_reason", nil},
		}
	}
	return encode(items, true)
}

// commitsPage returns 30 commits as GET /repos/{owner}/{repo}/commits
// lists them: newest first, some merges with two parents, some signed.
func commitsPage() []byte {
	g := newGH(30)
	subjects, bodies := g.newDeck(lines(poolCommitMessages)), lines(poolCommitBodies)
	c := clock{g: g.gen, now: pageStart()}
	api := fmt.Sprintf("%s/repos/%s/%s", ghAPI, ghOwner, ghRepo)
	shas := make([]string, 31)
	for i := range shas {
		shas[i] = g.sha()
	}
	items := make([]obj, 30)
	for i := range items {
		sha := shas[i]
		when := c.next(10, 600)
		login := g.someUser()
		name := g.names[login]
		email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + g.pick([]string{"gmail.com", "harborlabs.io", "fastmail.com"})
		if g.chance(0.25) {
			email = fmt.Sprintf("%d+%s@users.noreply.github.com", loginID(login), login)
		}
		merge := g.chance(0.2)
		message := subjects.next()
		if merge {
			message = fmt.Sprintf("Merge pull request #%d from %s/%s\n\n%s", 4200-i*3, login, g.pick(lines(poolBranches)), subjects.next())
		} else if g.chance(0.6) {
			message += "\n\n" + g.sentences(bodies, g.between(1, 3))
		}
		person := obj{{"name", name}, {"email", email}, {"date", iso(when)}}
		committer, committerLogin := person, login
		tree := g.sha()
		verification := obj{{"verified", false}, {"reason", "unsigned"}, {"signature", nil}, {"payload", nil}, {"verified_at", nil}}
		if merge || g.chance(0.3) {
			committer, committerLogin = obj{{"name", "GitHub"}, {"email", "noreply@github.com"}, {"date", iso(when)}}, "web-flow"
			payload := fmt.Sprintf("tree %s\nparent %s\nauthor %s <%s> %d +0000\ncommitter GitHub <noreply@github.com> %d +0000\n\n%s\n",
				tree, shas[i+1], name, email, when.Unix(), when.Unix(), message)
			verification = obj{
				{"verified", true},
				{"reason", "valid"},
				{"signature", "-----BEGIN PGP SIGNATURE-----\n\nwsFcBAABCAAQBQJn" + g.chars(base62+"+/", 60) + "\n" + g.chars(base62+"+/", 64) + "\n" + g.chars(base62+"+/", 64) + "\n" + g.chars(base62+"+/", 64) + "\n=" + g.chars(base62, 4) + "\n-----END PGP SIGNATURE-----\n"},
				{"payload", payload},
				{"verified_at", iso(when.Add(time.Second))},
			}
		}
		parents := []obj{{{"sha", shas[i+1]}, {"url", api + "/commits/" + shas[i+1]}, {"html_url", fmt.Sprintf("%s/%s/%s/commit/%s", ghWeb, ghOwner, ghRepo, shas[i+1])}}}
		if merge {
			p := g.sha()
			parents = append(parents, obj{{"sha", p}, {"url", api + "/commits/" + p}, {"html_url", fmt.Sprintf("%s/%s/%s/commit/%s", ghWeb, ghOwner, ghRepo, p)}})
		}
		var author any = g.user(login)
		if g.chance(0.1) {
			author = nil
		}
		items[i] = obj{
			{"sha", sha},
			{"node_id", "C_kwDOKdPb" + g.chars(base62, 30)},
			{"commit", obj{
				{"author", person},
				{"committer", committer},
				{"message", message},
				{"tree", obj{{"sha", tree}, {"url", api + "/git/trees/" + tree}}},
				{"url", api + "/git/commits/" + sha},
				{"comment_count", 0},
				{"verification", verification},
			}},
			{"url", api + "/commits/" + sha},
			{"html_url", fmt.Sprintf("%s/%s/%s/commit/%s", ghWeb, ghOwner, ghRepo, sha)},
			{"comments_url", api + "/commits/" + sha + "/comments"},
			{"author", author},
			{"committer", g.user(committerLogin)},
			{"parents", parents},
		}
	}
	return encode(items, true)
}

// workflowRunsPage returns 30 runs as GET
// /repos/{owner}/{repo}/actions/runs lists them: each with its actor,
// head commit and two repository objects.
func workflowRunsPage() []byte {
	g := newGH(40)
	workflows, branches, subjects := lines(poolWorkflows), lines(poolBranches), g.newDeck(lines(poolCommitMessages))
	c := clock{g: g.gen, now: pageStart()}
	api := fmt.Sprintf("%s/repos/%s/%s", ghAPI, ghOwner, ghRepo)
	items := make([]obj, 30)
	runNumber := 9120
	for i := range items {
		wf := strings.Split(g.pick(workflows), "|")
		wfID := int64(61000000 + len(wf[1])*1013)
		id := int64(11900000000 + int64(runNumber)*3571 + int64(g.between(0, 999)))
		runNumber -= g.between(1, 3)
		created := c.next(3, 240)
		branch, event := "main", g.pick([]string{"push", "push", "pull_request", "schedule", "workflow_dispatch"})
		if event == "pull_request" {
			branch = g.pick(branches)
		}
		status, conclusion := "completed", any(g.pick([]string{"success", "success", "success", "failure", "cancelled", "skipped"}))
		updated := g.after(created, 2, 25)
		if i < 3 && g.chance(0.7) {
			status, conclusion, updated = g.pick([]string{"in_progress", "queued"}), nil, created.Add(time.Minute)
		}
		headSHA := g.sha()
		actor := g.someUser()
		name := g.names[actor]
		email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@harborlabs.io"
		title := subjects.next()
		u := fmt.Sprintf("%s/actions/runs/%d", api, id)
		pulls := []obj{}
		if event == "pull_request" {
			n := 4100 + g.between(0, 180)
			pulls = append(pulls, obj{
				{"url", fmt.Sprintf("%s/pulls/%d", api, n)},
				{"id", int64(2100000000 + n*2473)},
				{"number", n},
				{"head", obj{{"ref", branch}, {"sha", headSHA}, {"repo", obj{{"id", ghRepoID}, {"url", api}, {"name", ghRepo}}}}},
				{"base", obj{{"ref", "main"}, {"sha", g.sha()}, {"repo", obj{{"id", ghRepoID}, {"url", api}, {"name", ghRepo}}}}},
			})
		}
		var previous any
		attempt := 1
		if g.chance(0.15) {
			attempt = 2
			previous = u + "/attempts/1"
		}
		items[i] = obj{
			{"id", id},
			{"name", wf[0]},
			{"node_id", "WFR_kwLOKdPb" + g.chars(base62, 10)},
			{"head_branch", branch},
			{"head_sha", headSHA},
			{"path", ".github/workflows/" + wf[1]},
			{"display_title", title},
			{"run_number", runNumber},
			{"event", event},
			{"status", status},
			{"conclusion", conclusion},
			{"workflow_id", wfID},
			{"check_suite_id", int64(31000000000 + id%1000000000)},
			{"check_suite_node_id", "CS_kwDOKdPb" + g.chars(base62, 12)},
			{"url", u},
			{"html_url", fmt.Sprintf("%s/%s/%s/actions/runs/%d", ghWeb, ghOwner, ghRepo, id)},
			{"pull_requests", pulls},
			{"created_at", iso(created)},
			{"updated_at", iso(updated)},
			{"actor", g.user(actor)},
			{"run_attempt", attempt},
			{"referenced_workflows", []obj{}},
			{"run_started_at", iso(created)},
			{"triggering_actor", g.user(actor)},
			{"jobs_url", u + "/jobs"},
			{"logs_url", u + "/logs"},
			{"check_suite_url", fmt.Sprintf("%s/check-suites/%d", api, 31000000000+id%1000000000)},
			{"artifacts_url", u + "/artifacts"},
			{"cancel_url", u + "/cancel"},
			{"rerun_url", u + "/rerun"},
			{"previous_attempt_url", previous},
			{"workflow_url", fmt.Sprintf("%s/actions/workflows/%d", api, wfID)},
			{"head_commit", obj{
				{"id", headSHA},
				{"tree_id", g.sha()},
				{"message", title},
				{"timestamp", iso(created.Add(-time.Duration(g.between(5, 300)) * time.Second))},
				{"author", obj{{"name", name}, {"email", email}}},
				{"committer", obj{{"name", name}, {"email", email}}},
			}},
			{"repository", g.repo(ghOwner, ghRepo, ghRepoID, false)},
			{"head_repository", g.repo(ghOwner, ghRepo, ghRepoID, false)},
		}
	}
	return encode(obj{{"total_count", 4817}, {"workflow_runs", items}}, true)
}
