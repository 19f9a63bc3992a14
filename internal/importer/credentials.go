package importer

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/actiongate/actiongate/internal/action"
)

// credentials collects the credentials an import generates: one per
// distinct scheme and placement, each named once, every secret part a
// stored-secret reference named after the credential.
type credentials struct {
	names *namer
	// byShape maps a credential's shape (its JSON without name and
	// secrets) to the name it was given, so a scheme used twice is one
	// credential.
	byShape map[string]string
	list    []*action.Credential
	notes   []CredentialNote
}

// newCredentials returns an empty set whose names start with prefix.
func newCredentials(prefix string) *credentials {
	return &credentials{names: newNamer(prefix), byShape: map[string]string{}}
}

// add names cred after base, sets its secret references (NAME_token,
// NAME_key, NAME_password, NAME_client_secret, NAME_<header>) and returns
// its name. The caller sets Type, Hosts and the non-secret parts (the
// api_key's in and name, the username, token URL, client id, scopes, and
// the header names with nil values). A credential of the same shape added
// before is returned instead of a new one.
func (c *credentials) add(base string, cred *action.Credential) string {
	shape, _ := json.Marshal(cred)
	if name, ok := c.byShape[string(shape)]; ok {
		return name
	}
	name := c.names.name(base)
	cred.Name = name
	ref := func(part string) *action.SecretRef { return &action.SecretRef{Secret: name + "_" + part} }
	var secrets []string
	switch cred.Type {
	case action.CredBearer:
		cred.Token = ref("token")
		secrets = append(secrets, cred.Token.Secret)
	case action.CredAPIKey:
		if cred.APIKey != nil {
			cred.APIKey.Value = ref("key")
			secrets = append(secrets, cred.APIKey.Value.Secret)
		}
	case action.CredBasic:
		cred.Password = ref("password")
		secrets = append(secrets, cred.Password.Secret)
	case action.CredOAuth2Client:
		cred.ClientSecret = ref("client_secret")
		secrets = append(secrets, cred.ClientSecret.Secret)
	case action.CredHeaders:
		for _, h := range slices.Sorted(maps.Keys(cred.HeaderValues)) {
			cred.HeaderValues[h] = ref(sanitizeName(h, true))
			secrets = append(secrets, cred.HeaderValues[h].Secret)
		}
	}
	c.byShape[string(shape)] = name
	c.list = append(c.list, cred)
	c.notes = append(c.notes, CredentialNote{Name: name, Type: cred.Type, Hosts: cred.Hosts, Secrets: secrets})
	return name
}

// resources returns the credentials as resources, in the order added.
func (c *credentials) resources() []action.Resource {
	out := make([]action.Resource, 0, len(c.list))
	for _, cred := range c.list {
		out = append(out, action.Resource{Kind: action.KindCredential, Credential: cred})
	}
	return out
}
