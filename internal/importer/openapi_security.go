package importer

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// Values written where a credential needs a non-secret part the document
// does not give; the summary notes say to replace them.
const (
	fillUsername = "FILL_IN_USERNAME"
	fillClientID = "FILL_IN_CLIENT_ID"
)

// security returns the credential an operation's security requirement
// names (the operation's own, else the document's), added to creds, or ""
// when it needs none or none that can be represented.
func (d *oaDoc) security(op map[string]any, base string, creds *credentials) string {
	reqs, ok := op["security"].([]any)
	if !ok {
		reqs = asList(d.root["security"])
	}
	for _, raw := range reqs {
		req, _ := raw.(map[string]any)
		if len(req) == 0 {
			return ""
		}
		if len(req) > 1 {
			d.note("a security requirement combining several schemes is sent with the first only: " + strings.Join(slices.Sorted(mapKeys(req)), ", "))
		}
		name := slices.Sorted(mapKeys(req))[0]
		var scopes []string
		for _, s := range asList(req[name]) {
			if str, ok := s.(string); ok && str != "" && !strings.ContainsAny(str, " \t\r\n") {
				scopes = append(scopes, str)
			}
		}
		if cred := d.credential(name, scopes, base); cred != nil {
			n := creds.add(name, cred)
			if cred.Username == fillUsername {
				d.note(fmt.Sprintf("credential %s: replace username %s with the account's user name", n, fillUsername))
			}
			if cred.ClientID == fillClientID {
				d.note(fmt.Sprintf("credential %s: replace client_id %s with the client's id", n, fillClientID))
			}
			return n
		}
	}
	return ""
}

// schemes returns the document's security schemes.
func (d *oaDoc) schemes() map[string]any {
	if d.swagger {
		m, _ := d.root["securityDefinitions"].(map[string]any)
		return m
	}
	comp, _ := d.root["components"].(map[string]any)
	m, _ := comp["securitySchemes"].(map[string]any)
	return m
}

// credential builds the credential for one security scheme, or nil with a
// note when it cannot be represented.
func (d *oaDoc) credential(name string, scopes []string, base string) *action.Credential {
	s, _ := d.deref(d.schemes()[name]).(map[string]any)
	if s == nil {
		d.note("security scheme " + name + " is not declared: no credential")
		return nil
	}
	u, _ := url.Parse(base)
	cred := &action.Credential{Hosts: []string{u.Hostname()}}
	typ, _ := s["type"].(string)
	scheme, _ := s["scheme"].(string)
	switch {
	case typ == "apiKey":
		in, _ := s["in"].(string)
		key, _ := s["name"].(string)
		if (in != "header" && in != "query") || key == "" {
			d.note(fmt.Sprintf("security scheme %s: an API key in %q is not supported: no credential", name, in))
			return nil
		}
		cred.Type, cred.APIKey = action.CredAPIKey, &action.APIKey{In: in, Name: key}
	case typ == "basic" || (typ == "http" && strings.EqualFold(scheme, "basic")):
		cred.Type, cred.Username = action.CredBasic, fillUsername
	case typ == "oauth2":
		if tokenURL := d.clientCredentialsURL(s, base); tokenURL != "" {
			cred.Type, cred.TokenURL, cred.ClientID, cred.Scopes = action.CredOAuth2Client, tokenURL, fillClientID, scopes
			break
		}
		cred.Type = action.CredBearer
		d.note("security scheme " + name + " (OAuth2 without a client-credentials flow) becomes a bearer token obtained beforehand")
	case typ == "http" && strings.EqualFold(scheme, "bearer"), typ == "openIdConnect":
		cred.Type = action.CredBearer
	default:
		d.note(fmt.Sprintf("security scheme %s of type %q is not supported: no credential", name, typ))
		return nil
	}
	return cred
}

// clientCredentialsURL is the absolute https token URL of a scheme's
// client-credentials flow, or "".
func (d *oaDoc) clientCredentialsURL(s map[string]any, base string) string {
	var raw string
	if d.swagger {
		if s["flow"] == "application" {
			raw, _ = s["tokenUrl"].(string)
		}
	} else {
		flows, _ := s["flows"].(map[string]any)
		cc, _ := flows["clientCredentials"].(map[string]any)
		raw, _ = cc["tokenUrl"].(string)
	}
	if raw == "" {
		return ""
	}
	b, err := url.Parse(base + "/")
	if err != nil {
		return ""
	}
	t, err := b.Parse(raw)
	if err != nil || t.Scheme != "https" || t.Host == "" || t.User != nil {
		return ""
	}
	return t.String()
}

// check validates a generated action with the credential it names, and
// returns the first problem, or "".
func (c *credentials) check(a *action.Action) string {
	rs := []action.Resource{{Kind: action.KindAction, Action: a}}
	for _, cred := range c.list {
		if cred.Name == a.Auth {
			rs = append(rs, action.Resource{Kind: action.KindCredential, Credential: cred})
		}
	}
	if errs := action.Validate(rs); len(errs) > 0 {
		return errs[0].Error()
	}
	return ""
}
