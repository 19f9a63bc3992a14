package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
)

func newContactCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "contact",
		Short: "Manage contacts, the people agents talk with",
		Long: `Contacts are the people agents talk with: an optional external id (your own
id for the person, unique), name, email, phone, locale and free attributes,
which actions read as {{contact.NAME}} placeholders. Attribute values given
with --attr are strings.`,
	}
	cmd.AddCommand(newContactCreateCmd(e), newContactGetCmd(e), newContactListCmd(e), newContactSetCmd(e), newContactDeleteCmd(e))
	return cmd
}

// contactFlags are the flags of a contact's own fields, by field name.
type contactFlags struct {
	externalID, name, email, phone, locale string
	attrs                                  []string
	json                                   bool
}

// bind adds the field flags to cmd.
func (f *contactFlags) bind(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.externalID, "external-id", "", "your own id for the person (unique)")
	fl.StringVar(&f.name, "name", "", "name")
	fl.StringVar(&f.email, "email", "", "email address")
	fl.StringVar(&f.phone, "phone", "", "phone number")
	fl.StringVar(&f.locale, "locale", "", "language tag, such as en-GB")
	fl.StringArrayVar(&f.attrs, "attr", nil, "attribute NAME=VALUE (repeatable)")
	fl.BoolVar(&f.json, "json", false, "print the contact as JSON")
}

// parseAttrs reads NAME=VALUE pairs into a map; a name given twice is an
// error.
func parseAttrs(pairs []string) (map[string]any, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--attr %q: must be NAME=VALUE", p)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("--attr %s: given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

func newContactCreateCmd(e *env) *cobra.Command {
	var f contactFlags
	cmd := &cobra.Command{
		Use:   "create [--external-id ID] [--name NAME] [--email EMAIL] [--phone PHONE] [--locale TAG] [--attr NAME=VALUE]...",
		Short: "Create a contact and print it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			attrs, err := parseAttrs(f.attrs)
			if err != nil {
				return err
			}
			g, err := openGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			c, err := g.CreateContact(cmd.Context(), gateway.Operator(), &gateway.Contact{ExternalID: f.externalID, Name: f.name,
				Email: f.email, Phone: f.phone, Locale: f.locale, Attributes: attrs})
			if err != nil {
				return err
			}
			return printContact(e.stdout, c, f.json)
		},
	}
	f.bind(cmd)
	return cmd
}

func newContactGetCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "get ID",
		Short: "Print one contact",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			c, err := g.Contact(cmd.Context(), gateway.Operator(), args[0])
			if err != nil {
				return err
			}
			return printContact(e.stdout, c, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the contact as JSON")
	return cmd
}

func newContactListCmd(e *env) *cobra.Command {
	var (
		search, cursor string
		limit          int
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "list [--search TEXT] [--limit N] [--cursor CURSOR]",
		Short: "List contacts, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 || limit > gateway.MaxContactLimit {
				return fmt.Errorf("--limit %d: must be from 1 to %d", limit, gateway.MaxContactLimit)
			}
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			list, next, err := g.ListContacts(cmd.Context(), gateway.Operator(), gateway.ContactFilter{Query: search, Cursor: cursor, Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				if list == nil {
					list = []gateway.Contact{}
				}
				return writeJSON(e.stdout, map[string]any{"contacts": list, "next_cursor": next})
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no contacts")
				return nil
			}
			if err := printContacts(e.stdout, list); err != nil {
				return err
			}
			if next != "" {
				fmt.Fprintf(e.stdout, "\nmore: --cursor %s\n", next)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&search, "search", "", "only contacts whose name, email, phone or external id contains this, in any case")
	fl.StringVar(&cursor, "cursor", "", "continue a listing where the previous page ended")
	fl.IntVar(&limit, "limit", gateway.DefaultContactLimit, "at most this many")
	fl.BoolVar(&asJSON, "json", false, "print the page as JSON")
	return cmd
}

func newContactSetCmd(e *env) *cobra.Command {
	var (
		f     contactFlags
		unset []string
	)
	cmd := &cobra.Command{
		Use:   "set ID [--name NAME] [--email EMAIL] ... [--attr NAME=VALUE]... [--unset-attr NAME]...",
		Short: "Change some fields of a contact and print it",
		Long: `Change the fields given and leave the others; an empty value (--email "")
clears a field. --attr sets attributes, --unset-attr removes them; the other
attributes stay.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			patch, err := contactPatch(cmd, &f, unset)
			if err != nil {
				return err
			}
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			c, err := g.UpdateContact(cmd.Context(), gateway.Operator(), args[0], patch)
			if err != nil {
				return err
			}
			return printContact(e.stdout, c, f.json)
		},
	}
	f.bind(cmd)
	cmd.Flags().StringArrayVar(&unset, "unset-attr", nil, "remove this attribute (repeatable)")
	return cmd
}

// contactPatch builds the patch of `contact set` from the flags given.
func contactPatch(cmd *cobra.Command, f *contactFlags, unset []string) (gateway.ContactPatch, error) {
	var patch gateway.ContactPatch
	fl := cmd.Flags()
	for _, p := range []struct {
		flag  string
		value string
		dst   **string
	}{{"external-id", f.externalID, &patch.ExternalID}, {"name", f.name, &patch.Name}, {"email", f.email, &patch.Email},
		{"phone", f.phone, &patch.Phone}, {"locale", f.locale, &patch.Locale}} {
		if fl.Changed(p.flag) {
			v := p.value
			*p.dst = &v
		}
	}
	attrs, err := parseAttrs(f.attrs)
	if err != nil {
		return patch, err
	}
	for _, k := range unset {
		if _, both := attrs[k]; both {
			return patch, fmt.Errorf("--unset-attr %s: also set with --attr", k)
		}
		if attrs == nil {
			attrs = map[string]any{}
		}
		attrs[k] = nil
	}
	patch.Attributes = attrs
	return patch, nil
}

func newContactDeleteCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a contact with its conversations",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			if err := g.DeleteContact(cmd.Context(), gateway.Operator(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "deleted contact %s and its conversations\n", args[0])
			return nil
		},
	}
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// printContact writes one contact as JSON, or as one field a line with
// its attributes sorted by name.
func printContact(w io.Writer, c *gateway.Contact, asJSON bool) error {
	if asJSON {
		return writeJSON(w, c)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	createdBy := c.CreatedBy
	if createdBy == "" {
		createdBy = "operator"
	}
	for _, row := range [][2]string{{"ID", c.ID}, {"EXTERNAL ID", c.ExternalID}, {"NAME", c.Name}, {"EMAIL", c.Email},
		{"PHONE", c.Phone}, {"LOCALE", c.Locale}, {"CREATED BY", createdBy},
		{"CREATED", formatTime(&c.CreatedAt)}, {"UPDATED", formatTime(&c.UpdatedAt)}} {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], orDash(row[1]))
	}
	keys := make([]string, 0, len(c.Attributes))
	for k := range c.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := json.Marshal(c.Attributes[k])
		if err != nil {
			return fmt.Errorf("writing contact: attribute %s: %w", k, err)
		}
		fmt.Fprintf(tw, "attributes.%s\t%s\n", k, v)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing contact: %w", err)
	}
	return nil
}

// printContacts writes one row per contact.
func printContacts(w io.Writer, list []gateway.Contact) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEXTERNAL ID\tNAME\tEMAIL\tPHONE\tCREATED")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, orDash(c.ExternalID), orDash(c.Name), orDash(c.Email), orDash(c.Phone), formatTime(&c.CreatedAt))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing contacts: %w", err)
	}
	return nil
}

// orDash prints an unset field as "-".
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
