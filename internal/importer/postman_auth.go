package importer

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// auth binds the action to the credential of its Postman auth (bearer,
// basic, apikey, oauth2 client credentials), or, without one, of the
// secrets its headers and query carried.
func (b *pmAction) auth(auth *pmAuth) {
	var cred *action.Credential
	if auth != nil && auth.Type != "" && auth.Type != "noauth" {
		cred = b.postmanCredential(auth)
		if len(b.secrets) > 0 {
			b.notes = append(b.notes, "headers or query parameters carrying secrets were left out: the request's auth is used")
		}
	} else if len(b.secrets) > 0 {
		cred = secretCredential(b.secrets[0])
		if len(b.secrets) > 1 {
			b.notes = append(b.notes, "more than one header or query parameter carries a secret: only the first is a credential")
		}
	}
	if cred == nil {
		return
	}
	cred.Hosts = []string{b.host}
	b.act.Auth = b.p.creds.add(credentialBase(b.host), cred)
}

// postmanCredential is the credential of a Postman auth block, nil (with
// a note) for a type or grant an action cannot use.
func (b *pmAction) postmanCredential(auth *pmAuth) *action.Credential {
	switch auth.Type {
	case "bearer":
		return &action.Credential{Type: action.CredBearer}
	case "basic":
		attrs := authAttrs(auth.Basic)
		user := b.plain(attrs["username"])
		if user == "" {
			b.notes = append(b.notes, "basic auth has no user name: replace "+fillUsername+" in the credential")
			user = fillUsername
		}
		return &action.Credential{Type: action.CredBasic, Username: user}
	case "apikey":
		attrs := authAttrs(auth.APIKey)
		in := "header"
		if attrs["in"] == "query" {
			in = "query"
		}
		key := b.plain(attrs["key"])
		if key == "" {
			b.notes = append(b.notes, "apikey auth names no literal key: X-API-Key is used, change it in the credential")
			key = "X-API-Key"
		}
		return &action.Credential{Type: action.CredAPIKey, APIKey: &action.APIKey{In: in, Name: key}}
	case "oauth2":
		return b.oauth2(authAttrs(auth.OAuth2))
	}
	b.notes = append(b.notes, fmt.Sprintf("auth type %s is not imported: add a credential by hand", auth.Type))
	return nil
}

// oauth2 is the credential of an oauth2 client credentials auth.
func (b *pmAction) oauth2(attrs map[string]string) *action.Credential {
	grant := attrs["grant_type"]
	if grant != "client_credentials" {
		b.notes = append(b.notes, fmt.Sprintf("OAuth 2 grant %q is not imported: only client credentials is", grant))
		return nil
	}
	tokenURL, clientID := b.plain(attrs["accessTokenUrl"]), b.plain(attrs["clientId"])
	if tokenURL == "" || clientID == "" {
		b.notes = append(b.notes, "OAuth 2 client credentials without a literal token URL and client id are not imported")
		return nil
	}
	return &action.Credential{Type: action.CredOAuth2Client, TokenURL: tokenURL, ClientID: clientID, Scopes: strings.Fields(attrs["scope"])}
}

// plain returns a non-secret auth attribute: literal, or the value of the
// collection variable it names; "" when neither.
func (b *pmAction) plain(v string) string {
	v = strings.TrimSpace(v)
	if name, ok := strings.CutPrefix(v, "{{"); ok {
		name, _ = strings.CutSuffix(name, "}}")
		v = b.p.vars[strings.TrimSpace(name)]
	}
	if strings.Contains(v, "{{") {
		return ""
	}
	return v
}

// authAttrs reads auth attributes: a v2.1 list of {key, value} or a v2.0
// object.
func authAttrs(raw json.RawMessage) map[string]string {
	out := map[string]string{}
	var list []pmKV
	if json.Unmarshal(raw, &list) == nil {
		for _, kv := range list {
			out[kv.Key] = kvString(kv.Value)
		}
		return out
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) == nil {
		for k, v := range obj {
			out[k] = kvString(v)
		}
	}
	return out
}
