package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func testContacts(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := &Contact{ExternalID: "crm-1", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 1234",
		Locale: "en-GB", Attributes: map[string]any{"plan": "pro", "seats": json.Number("12345678901234567"), "vip": true}, CreatedBy: "support"}
	must(t, s.CreateContact(ctx, c))
	if !validID(c.ID) || c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
		t.Fatalf("created contact: %+v", c)
	}
	got, err := s.GetContact(ctx, c.ID)
	must(t, err)
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("GetContact:\n got %+v\nwant %+v", got, c)
	}
	byExt, err := s.ContactByExternalID(ctx, "crm-1")
	must(t, err)
	if byExt.ID != c.ID {
		t.Fatalf("ContactByExternalID = %s, want %s", byExt.ID, c.ID)
	}
	_, err = s.GetContact(ctx, s.NewID())
	wantErr(t, err, ErrNotFound)
	_, err = s.ContactByExternalID(ctx, "crm-2")
	wantErr(t, err, ErrNotFound)

	// external_id is unique when set; contacts without one do not clash.
	wantErr(t, s.CreateContact(ctx, &Contact{ExternalID: "crm-1"}), ErrConflict)
	a, b := &Contact{Name: "a"}, &Contact{Name: "b"}
	must(t, s.CreateContact(ctx, a))
	must(t, s.CreateContact(ctx, b))
	_, err = s.UpdateContact(ctx, a.ID, ContactPatch{ExternalID: ptr("crm-1")}, nil)
	wantErr(t, err, ErrConflict)

	// A patch changes only what it names; attributes merge and nil removes.
	up, err := s.UpdateContact(ctx, c.ID, ContactPatch{Name: ptr("Ada King"), Email: ptr(""),
		Attributes: map[string]any{"plan": "team", "vip": nil, "region": "eu"}}, nil)
	must(t, err)
	want := map[string]any{"plan": "team", "seats": json.Number("12345678901234567"), "region": "eu"}
	if up.Name != "Ada King" || up.Email != "" || up.Phone != c.Phone || !reflect.DeepEqual(up.Attributes, want) || up.UpdatedAt.Before(c.UpdatedAt) {
		t.Fatalf("UpdateContact: %+v", up)
	}
	got, err = s.GetContact(ctx, c.ID)
	must(t, err)
	if !reflect.DeepEqual(got, up) {
		t.Fatalf("stored after update:\n got %+v\nwant %+v", got, up)
	}
	// Clearing the external id frees it.
	_, err = s.UpdateContact(ctx, c.ID, ContactPatch{ExternalID: ptr("")}, nil)
	must(t, err)
	_, err = s.UpdateContact(ctx, a.ID, ContactPatch{ExternalID: ptr("crm-1")}, nil)
	must(t, err)

	// check sees before and after, and its error cancels the change.
	stop := errors.New("refused")
	_, err = s.UpdateContact(ctx, b.ID, ContactPatch{Name: ptr("changed")}, func(before, after *Contact) error {
		if before.Name != "b" || after.Name != "changed" {
			t.Errorf("check saw %q -> %q", before.Name, after.Name)
		}
		return stop
	})
	wantErr(t, err, stop)
	got, err = s.GetContact(ctx, b.ID)
	must(t, err)
	if got.Name != "b" {
		t.Fatalf("a refused update changed the contact: %+v", got)
	}
	_, err = s.UpdateContact(ctx, s.NewID(), ContactPatch{Name: ptr("x")}, nil)
	wantErr(t, err, ErrNotFound)

	// DeleteContact with an owner deletes only that agent's contacts.
	wantErr(t, s.DeleteContact(ctx, b.ID, "support"), ErrNotFound)
	must(t, s.DeleteContact(ctx, c.ID, "support"))
	must(t, s.DeleteContact(ctx, b.ID, ""))
	wantErr(t, s.DeleteContact(ctx, b.ID, ""), ErrNotFound)
	_, err = s.GetContact(ctx, c.ID)
	wantErr(t, err, ErrNotFound)
}

func ptr[T any](v T) *T { return &v }

// testContactSearch checks search over every field, folding case and
// taking LIKE's wildcards literally, and cursor paging newest first.
func testContactSearch(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, c := range []*Contact{
		{Name: "Grace Hopper", Email: "grace@navy.example"},
		{Name: "Alan", Email: "ALAN@Example.org", CreatedBy: "sales"},
		{Phone: "+1 (555) 010-9999"},
		{ExternalID: "Shop_42", Name: "n"},
		{ExternalID: "shopx42", Name: "100% sure"},
	} {
		must(t, s.CreateContact(ctx, c))
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"hopper", []string{"Grace Hopper"}},
		{"example", []string{"Alan", "Grace Hopper"}},
		{"alan@example.ORG", []string{"Alan"}},
		{"555) 010", []string{""}},
		{"SHOP_", []string{"n"}},
		{"%", []string{"100% sure"}},
		{"nobody", nil},
	} {
		list, next, err := s.ListContacts(ctx, ContactFilter{Query: c.q})
		must(t, err)
		var names []string
		for _, x := range list {
			names = append(names, x.Name)
		}
		if !reflect.DeepEqual(names, c.want) || next != "" {
			t.Errorf("search %q = %q (next %q), want %q", c.q, names, next, c.want)
		}
	}
	list, _, err := s.ListContacts(ctx, ContactFilter{CreatedBy: "sales"})
	must(t, err)
	if len(list) != 1 || list[0].Name != "Alan" {
		t.Fatalf("CreatedBy filter: %+v", list)
	}
	_, _, err = s.ListContacts(ctx, ContactFilter{Cursor: "nope"})
	wantErr(t, err, ErrInvalidCursor)
}

func testContactPaging(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	const n = 23
	var ids []string
	for i := range n {
		c := &Contact{Name: fmt.Sprintf("c%02d", i)}
		must(t, s.CreateContact(ctx, c))
		ids = append([]string{c.ID}, ids...)
	}
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		list, next, err := s.ListContacts(ctx, ContactFilter{Cursor: cursor, Limit: 5})
		must(t, err)
		for _, c := range list {
			seen = append(seen, c.ID)
		}
		if pages == 1 {
			// A contact created while paging lists first, not on later pages.
			must(t, s.CreateContact(ctx, &Contact{Name: "late"}))
		}
		if next == "" {
			break
		}
		if len(list) != 5 || pages > n {
			t.Fatalf("page of %d with a next cursor", len(list))
		}
		cursor = next
	}
	if !reflect.DeepEqual(seen, ids) {
		t.Fatalf("paged ids:\n got %v\nwant %v", seen, ids)
	}
	all, _, err := s.ListContacts(ctx, ContactFilter{Limit: MaxContactLimit + 100})
	must(t, err)
	if len(all) != n+1 {
		t.Fatalf("limit over the maximum: %d contacts", len(all))
	}
	def, next, err := s.ListContacts(ctx, ContactFilter{})
	must(t, err)
	if len(def) != n+1 || next != "" {
		t.Fatalf("default limit: %d, %q", len(def), next)
	}
}
