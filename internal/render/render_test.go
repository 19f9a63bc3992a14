package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/redact"
)

// secretMap is a SecretLookup over a fixed set of values.
type secretMap map[string]string

var errNoSecret = errors.New("no such secret")

func (s secretMap) LookupSecret(_ context.Context, name string) (string, error) {
	v, ok := s[name]
	if !ok {
		return "", fmt.Errorf("secret %s: %w", name, errNoSecret)
	}
	return v, nil
}

func render(t *testing.T, a *action.Action, in Input) *Request {
	t.Helper()
	req, err := Render(context.Background(), a, in, &redact.Redactor{})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return req
}

func renderErr(t *testing.T, a *action.Action, in Input) error {
	t.Helper()
	req, err := Render(context.Background(), a, in, &redact.Redactor{})
	if err == nil {
		t.Fatalf("Render succeeded, want error; URL %s body %s", req.URL, req.Body)
	}
	return err
}

func typed(typ string) *action.Param { return &action.Param{Type: typ} }

func getOrder() *action.Action {
	return &action.Action{
		Name:   "update_order",
		Method: action.MethodPatch,
		URL:    "https://api.shop.example:8443/v1/orders/{{order_id}}?expand=items",
		Query:  map[string]string{"page": "{{page}}", "lang": "{{contact.lang}}", "tags": "{{tags}}"},
		Headers: map[string]string{
			"Authorization":  "Bearer {{secret.SHOP_TOKEN}}",
			"X-Request-Note": "from {{vars.channel}}",
			"x-optional":     "{{note}}",
		},
		Body: &action.Body{Type: BodyJSON, Content: map[string]any{
			"id":      "{{order_id}}",
			"page":    "{{page}}",
			"note":    "{{note}}",
			"tags":    "{{tags}}",
			"summary": "order {{order_id}} for {{contact.email}}",
			"fixed":   []any{uint64(1), "two", true, nil, 2.5},
		}},
		Params: action.Params{
			{Name: "order_id", Param: &action.Param{Type: "string", Required: true, Description: "The order number"}},
			{Name: "page", Param: &action.Param{Type: "integer", Default: uint64(1)}},
			{Name: "note", Param: typed("string")},
			{Name: "tags", Param: &action.Param{Type: "array", Items: typed("string")}},
		},
	}
}

func TestRenderTypicalAction(t *testing.T) {
	red := &redact.Redactor{}
	req, err := Render(context.Background(), getOrder(), Input{
		Args:    map[string]any{"order_id": "A-17", "tags": []any{"red", "big one"}, "unused": "x"},
		Contact: map[string]any{"lang": "de", "email": "ann@example.com"},
		Vars:    map[string]any{"channel": "chat"},
		Secrets: secretMap{"SHOP_TOKEN": "tok-123456"},
	}, red)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "PATCH" {
		t.Errorf("method = %q", req.Method)
	}
	wantURL := "https://api.shop.example:8443/v1/orders/A-17?expand=items&lang=de&page=1&tags=red&tags=big+one"
	if got := req.URL.String(); got != wantURL {
		t.Errorf("URL\n got %s\nwant %s", got, wantURL)
	}
	if got := req.Header.Get("Authorization"); got != "Bearer tok-123456" {
		t.Errorf("Authorization = %q", got)
	}
	if got := req.Header.Get("X-Request-Note"); got != "from chat" {
		t.Errorf("X-Request-Note = %q", got)
	}
	if _, ok := req.Header["X-Optional"]; ok {
		t.Errorf("absent optional header was sent: %q", req.Header.Get("X-Optional"))
	}
	wantBody := `{"fixed":[1,"two",true,null,2.5],"id":"A-17","page":1,"summary":"order A-17 for ann@example.com","tags":["red","big one"]}`
	if string(req.Body) != wantBody {
		t.Errorf("body\n got %s\nwant %s", req.Body, wantBody)
	}
	if req.ContentType != ContentTypeJSON || req.Header.Get("Content-Type") != ContentTypeJSON {
		t.Errorf("content type = %q, header %q", req.ContentType, req.Header.Get("Content-Type"))
	}
	if got := red.String(req.Header.Get("Authorization")); got != "Bearer "+redact.Mask {
		t.Errorf("redacted Authorization = %q", got)
	}
	if strings.Contains(req.URL.String()+string(req.Body), "unused") {
		t.Error("an undeclared argument reached the request")
	}
}

func TestRenderDefaultMethodAndNoBody(t *testing.T) {
	req := render(t, &action.Action{Name: "ping", URL: "https://api.example.com"}, Input{})
	if req.Method != "GET" || req.Body != nil || req.ContentType != "" || req.URL.String() != "https://api.example.com" {
		t.Errorf("got %s %s body %q type %q", req.Method, req.URL, req.Body, req.ContentType)
	}
	if len(req.Header) != 0 {
		t.Errorf("headers = %v", req.Header)
	}
}

func TestRenderProblems(t *testing.T) {
	tests := []struct {
		name   string
		a      *action.Action
		in     Input
		params []string
		msgs   []string
	}{
		{
			name:   "missing required argument",
			a:      getOrder(),
			in:     Input{Contact: map[string]any{"lang": "de", "email": "e"}, Vars: map[string]any{"channel": "c"}, Secrets: secretMap{"SHOP_TOKEN": "t"}},
			params: []string{"order_id"},
			msgs:   []string{"missing required argument order_id (string: The order number)"},
		},
		{
			name: "every problem at once, each once",
			a:    getOrder(),
			in: Input{
				Args:    map[string]any{"order_id": 5.0, "page": "2", "tags": []any{"a", 3.0}},
				Secrets: secretMap{},
			},
			params: []string{"order_id", "contact.lang", "page", "tags", "secret.SHOP_TOKEN", "vars.channel", "contact.email"},
			msgs: []string{
				"argument order_id must be a string",
				"contact.lang is not set",
				"argument page must be an integer",
				"argument tags[1] must be a string",
				"secret.SHOP_TOKEN could not be read",
				"vars.channel is not set",
				"contact.email is not set",
			},
		},
		{
			name:   "integer given a fraction",
			a:      &action.Action{Name: "a", URL: "https://x.example/{{n}}", Params: action.Params{{Name: "n", Param: typed("integer")}}},
			in:     Input{Args: map[string]any{"n": 1.5}},
			params: []string{"n"},
			msgs:   []string{"argument n must be an integer"},
		},
		{
			name:   "number given infinity",
			a:      &action.Action{Name: "a", URL: "https://x.example/?n={{n}}", Params: action.Params{{Name: "n", Param: typed("number")}}},
			in:     Input{Args: map[string]any{"n": json.Number("1e999")}},
			params: []string{"n"},
			msgs:   []string{"argument n must be a finite number"},
		},
		{
			name:   "invalid json.Number",
			a:      &action.Action{Name: "a", URL: "https://x.example/?n={{n}}", Params: action.Params{{Name: "n", Param: typed("number")}}},
			in:     Input{Args: map[string]any{"n": json.Number("1,2")}},
			params: []string{"n"},
			msgs:   []string{"argument n must be a finite number"},
		},
		{
			name:   "boolean given string",
			a:      &action.Action{Name: "a", URL: "https://x.example/?b={{b}}", Params: action.Params{{Name: "b", Param: typed("boolean")}}},
			in:     Input{Args: map[string]any{"b": "true"}},
			params: []string{"b"},
			msgs:   []string{"argument b must be true or false"},
		},
		{
			name:   "object given array",
			a:      &action.Action{Name: "a", URL: "https://x.example/?o={{o}}", Params: action.Params{{Name: "o", Param: typed("object")}}},
			in:     Input{Args: map[string]any{"o": []any{}}},
			params: []string{"o"},
			msgs:   []string{"argument o must be an object"},
		},
		{
			name:   "secret without a source",
			a:      &action.Action{Name: "a", URL: "https://x.example/", Headers: map[string]string{"X-Key": "{{secret.K}}"}},
			params: []string{"secret.K"},
			msgs:   []string{"secret.K is not available: no secret source is configured"},
		},
		{
			name:   "contact value of unsupported type",
			a:      &action.Action{Name: "a", URL: "https://x.example/?c={{contact.c}}"},
			in:     Input{Contact: map[string]any{"c": struct{}{}}},
			params: []string{"contact.c"},
			msgs:   []string{"contact.c has an unsupported type struct {}"},
		},
		{
			name:   "required param sent as null",
			a:      &action.Action{Name: "a", URL: "https://x.example/?q={{q}}", Params: action.Params{{Name: "q", Param: &action.Param{Type: "string", Required: true}}}},
			in:     Input{Args: map[string]any{"q": nil}},
			params: []string{"q"},
			msgs:   []string{"missing required argument q (string)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := renderErr(t, tt.a, tt.in)
			var rerr *Error
			if !errors.As(err, &rerr) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			var params, msgs []string
			for _, p := range rerr.Problems {
				params = append(params, p.Param)
				msgs = append(msgs, p.Message)
			}
			if strings.Join(params, "|") != strings.Join(tt.params, "|") {
				t.Errorf("params\n got %q\nwant %q", params, tt.params)
			}
			if strings.Join(msgs, "|") != strings.Join(tt.msgs, "|") {
				t.Errorf("messages\n got %q\nwant %q", msgs, tt.msgs)
			}
			want := "render: action " + tt.a.Name + ": " + strings.Join(tt.msgs, "; ")
			if err.Error() != want {
				t.Errorf("Error()\n got %s\nwant %s", err, want)
			}
		})
	}
}

func TestRenderSecretLookupCause(t *testing.T) {
	a := &action.Action{Name: "a", URL: "https://x.example/", Headers: map[string]string{"X-Key": "{{secret.K}}"}}
	err := renderErr(t, a, Input{Secrets: secretMap{}})
	if !errors.Is(err, errNoSecret) {
		t.Errorf("error %v does not wrap the lookup failure", err)
	}
	if strings.Contains(err.Error(), errNoSecret.Error()) {
		t.Errorf("message %q exposes the lookup failure", err)
	}
}

func TestRenderTemplateFaults(t *testing.T) {
	p := action.Params{{Name: "x", Param: typed("string")}}
	tests := []struct {
		name string
		a    action.Action
		want string
	}{
		{"placeholder in host", action.Action{URL: "https://{{x}}.example.com/"}, "url: placeholders are not allowed in the scheme, host or port"},
		{"placeholder in port", action.Action{URL: "https://api.example.com:{{x}}/"}, "url: placeholders are not allowed"},
		{"placeholder in scheme", action.Action{URL: "{{x}}://api.example.com/"}, "url: placeholders are not allowed"},
		{"placeholder in userinfo", action.Action{URL: "https://{{x}}@api.example.com/"}, "url: placeholders are not allowed"},
		{"placeholder in fragment", action.Action{URL: "https://api.example.com/a#{{x}}"}, "url: placeholders are not allowed in the fragment"},
		{"relative URL", action.Action{URL: "/v1/{{x}}"}, "url: must be an absolute"},
		{"other scheme", action.Action{URL: "ftp://api.example.com/{{x}}"}, "url: must be an absolute"},
		{"no host", action.Action{URL: "https:///{{x}}"}, "url: must be an absolute"},
		{"unclosed placeholder", action.Action{URL: "https://api.example.com/{{x"}, "url: unclosed placeholder"},
		{"undeclared param", action.Action{URL: "https://api.example.com/{{y}}"}, "url: placeholder {{y}} names no declared param"},
		{"undeclared param in body", action.Action{URL: "https://api.example.com/", Body: &action.Body{Type: "json", Content: map[string]any{"a": []any{"{{y}}"}}}}, "body.content.a[0]: placeholder {{y}} names no declared param"},
		{"Host header", action.Action{URL: "https://api.example.com/", Headers: map[string]string{"host": "{{x}}"}}, "headers.host: the Host header cannot be set"},
		{"bad header name", action.Action{URL: "https://api.example.com/", Headers: map[string]string{"X Bad": "1"}}, "headers.X Bad: is not a valid header name"},
		{"control char in literal header", action.Action{URL: "https://api.example.com/", Headers: map[string]string{"X-A": "a\r\nB: c"}}, "headers.X-A: the value contains a line break"},
		{"unknown body type", action.Action{URL: "https://api.example.com/", Body: &action.Body{Type: "xml", Content: "<a/>"}}, `body.type: unknown body type "xml"`},
		{"text body not a string", action.Action{URL: "https://api.example.com/", Body: &action.Body{Type: "text", Content: 5}}, "body.content: a text body must be a string"},
		{"form body not a map", action.Action{URL: "https://api.example.com/", Body: &action.Body{Type: "form", Content: "a=b"}}, "body.content: a form body must be a map"},
		{"form field object", action.Action{URL: "https://api.example.com/", Body: &action.Body{Type: "form", Content: map[string]any{"a": map[string]any{}}}}, "body.content.a: a form field must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			a.Name, a.Params = "broken", p
			err := renderErr(t, &a, Input{Args: map[string]any{"x": "v"}})
			if !errors.Is(err, ErrTemplate) {
				t.Fatalf("error %v does not wrap ErrTemplate", err)
			}
			want := "render: action broken: invalid action template: " + tt.want
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error\n got %s\nwant %s...", err, want)
			}
		})
	}
}

// Secrets with characters that every place escapes differently must still
// be masked by the redactor in every place.
func TestRenderSecretsAreRedactable(t *testing.T) {
	for _, secret := range []string{"s3cr3t-value", "a+b/c=d&e f", `q"uo\te<&>`, "ünï©ødé/sëcret", "semi;colon,comma:colon@at"} {
		t.Run(secret, func(t *testing.T) {
			a := &action.Action{
				Name:    "leak",
				Method:  "POST",
				URL:     "https://api.example.com/keys/{{secret.S}}/x?k={{secret.S}}",
				Query:   map[string]string{"q": "pre-{{secret.S}}"},
				Headers: map[string]string{"Authorization": "Bearer {{secret.S}}"},
				Body:    &action.Body{Type: "json", Content: map[string]any{"k": "{{secret.S}}", "m": "x {{secret.S}} y"}},
			}
			red := &redact.Redactor{}
			req, err := Render(context.Background(), a, Input{Secrets: secretMap{"S": secret}}, red)
			if err != nil {
				t.Fatal(err)
			}
			for place, text := range map[string]string{
				"url":    red.String(req.URL.String()),
				"header": red.String(req.Header.Get("Authorization")),
				"body":   red.String(string(req.Body)),
			} {
				if strings.Contains(text, secret) || !strings.Contains(text, redact.Mask) {
					t.Errorf("%s not masked: %s", place, text)
				}
				for _, enc := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
					if strings.Contains(text, enc) {
						t.Errorf("%s holds an encoded secret: %s", place, text)
					}
				}
			}
			form := *a
			form.Body = &action.Body{Type: "form", Content: map[string]any{"k": "{{secret.S}}"}}
			red = &redact.Redactor{}
			req, err = Render(context.Background(), &form, Input{Secrets: secretMap{"S": secret}}, red)
			if err != nil {
				t.Fatal(err)
			}
			if got := red.String(string(req.Body)); got != "k="+redact.Mask {
				t.Errorf("form body masked = %q", got)
			}
		})
	}
}

func TestRenderErrorNeverHoldsSecret(t *testing.T) {
	a := &action.Action{
		Name:    "leak",
		URL:     "https://api.example.com/{{secret.S}}",
		Headers: map[string]string{"Authorization": "Bearer {{secret.S}}"},
		Body:    &action.Body{Type: "json", Content: "{{secret.S}}"},
	}
	for _, secret := range []string{"top\r\nsecret", "bad\xffutf8\n", "top\x00nul"} {
		err := renderErr(t, a, Input{Secrets: secretMap{"S": secret}})
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "top") || strings.Contains(err.Error(), "bad") {
			t.Errorf("error holds the secret: %v", err)
		}
		if !strings.Contains(err.Error(), "secret.S") {
			t.Errorf("error does not name the secret: %v", err)
		}
	}
}

func TestRenderNilRedactor(t *testing.T) {
	a := &action.Action{Name: "a", URL: "https://api.example.com/", Headers: map[string]string{"X-K": "{{secret.S}}"}}
	req, err := Render(context.Background(), a, Input{Secrets: secretMap{"S": "value"}}, nil)
	if err != nil || req.Header.Get("X-K") != "value" {
		t.Fatalf("got %v, %v", req, err)
	}
}
