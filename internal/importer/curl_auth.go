package importer

import (
	"fmt"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// auth turns the secrets of the request into one credential bound to the
// URL's host (an action sends one): the secret alone when there is one;
// the headers together as a headers credential when several headers carry
// secrets, any query key then left out with a note.
func (b *curlBuilder) auth() {
	if b.req.userSet {
		b.userSecret()
	}
	var inHeaders, inQuery []curlSecret
	for _, s := range b.secrets {
		if s.kind == "api_key_query" {
			inQuery = append(inQuery, s)
		} else {
			inHeaders = append(inHeaders, s)
		}
	}
	var cred *action.Credential
	var left []curlSecret
	switch {
	case len(inHeaders) == 1:
		cred, left = secretCredential(inHeaders[0]), inQuery
	case len(inHeaders) > 1:
		cred = &action.Credential{Type: action.CredHeaders, HeaderValues: map[string]*action.SecretRef{}}
		for _, s := range inHeaders {
			cred.HeaderValues[headerName(s.name)] = nil
		}
		left = inQuery
		b.notes = append(b.notes, "several headers carry secrets: they are one headers credential")
	case len(inQuery) > 0:
		cred, left = secretCredential(inQuery[0]), inQuery[1:]
	default:
		return
	}
	for _, s := range left {
		b.notes = append(b.notes, fmt.Sprintf("query parameter %s carries a secret too and was left out: an action sends one credential", s.name))
	}
	cred.Hosts = []string{b.host}
	b.act.Auth = b.creds.add(credentialBase(b.host), cred)
}

// userSecret records -u (or user:password@ in the URL) as basic
// authentication; a user without a password is often an API key sent as
// the user name, so it becomes a secret Authorization header instead of a
// written user name.
func (b *curlBuilder) userSecret() {
	user, _, hasPassword := strings.Cut(b.req.user, ":")
	if user != "" && hasPassword && !strings.HasSuffix(b.req.user, ":") {
		b.secrets = append(b.secrets, curlSecret{kind: action.CredBasic, name: "Authorization", username: user})
		return
	}
	b.secrets = append(b.secrets, curlSecret{kind: action.CredHeaders, name: "Authorization"})
	b.notes = append(b.notes, "-u has no password (the user name is likely a key): its Authorization header is a secret to set as \"Basic \" and the base64 of user:")
}

// oneCredential is the credential for a single secret.
func secretCredential(s curlSecret) *action.Credential {
	switch s.kind {
	case action.CredBearer:
		return &action.Credential{Type: action.CredBearer}
	case action.CredBasic:
		return &action.Credential{Type: action.CredBasic, Username: s.username}
	case "api_key_header":
		return &action.Credential{Type: action.CredAPIKey, APIKey: &action.APIKey{In: "header", Name: headerName(s.name)}}
	case "api_key_query":
		return &action.Credential{Type: action.CredAPIKey, APIKey: &action.APIKey{In: "query", Name: s.name}}
	}
	return &action.Credential{Type: action.CredHeaders, HeaderValues: map[string]*action.SecretRef{headerName(s.name): nil}}
}

// headerName writes a header name in its canonical case (x-api-key ->
// X-Api-Key), so that the same header from two commands is one name.
func headerName(n string) string {
	parts := strings.Split(strings.ToLower(n), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// credentialBase names a credential after its host without a leading
// api. or www. ("api.example.com" -> example_com).
func credentialBase(host string) string {
	for _, p := range []string{"api.", "www."} {
		if rest, ok := strings.CutPrefix(host, p); ok && strings.Contains(rest, ".") {
			host = rest
		}
	}
	return host
}

// result assembles the Result: the credential first, then the action.
func (b *curlBuilder) result() *Result {
	r := &Result{
		Header:         []string{curlHeaderComment},
		Comments:       map[string][]string{},
		FilterComments: map[string][]string{},
	}
	r.Resources = append(b.creds.resources(), action.Resource{Kind: action.KindAction, Action: b.act})
	key := r.Resources[len(r.Resources)-1].Key()
	r.Comments[key] = []string{fmt.Sprintf("from: %s %s", b.act.Method, b.act.URL)}
	r.Operations = []Operation{{Name: b.act.Name, Method: b.act.Method, Path: b.path, Selected: true}}
	r.Summary = Summary{Imported: []string{b.act.Name}, Credentials: b.creds.notes, Notes: b.notes}
	return r
}
