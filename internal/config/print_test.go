package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/secret"
)

func TestMasterKeyNeverPrinted(t *testing.T) {
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	canary := secret.EncodeKey(key)
	c, err := Load(env(map[string]string{
		"ACTIONGATE_MASTER_KEY":   canary,
		"ACTIONGATE_DATABASE_URL": "postgres://ag:db-pw-canary@db:5432/ag?sslpassword=ssl-canary&sslmode=require",
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outputs = append(outputs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c))
	}
	outputs = append(outputs, c.String(), fmt.Sprint(c), fmt.Sprintf("%+v", struct{ Cfg *Config }{c}))
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		l := slog.New(h(&buf))
		l.Info("starting", "config", c)
		l.Info("starting", "config", *c)
		outputs = append(outputs, buf.String())
	}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(js))
	if !strings.Contains(string(js), `"master_key":"set"`) || !strings.Contains(string(js), `"run_retention":"720h0m0s"`) {
		t.Errorf("JSON view: %s", js)
	}

	for _, out := range outputs {
		for _, leak := range []string{canary, canary[:12], "db-pw-canary", "ssl-canary"} {
			if strings.Contains(out, leak) {
				t.Fatalf("output leaks %q: %s", leak, out)
			}
		}
	}
	s := c.String()
	for _, want := range []string{"master_key=set", "addr=127.0.0.1:8080", "postgres://ag:xxxxx@db:5432/ag", "sslmode=require"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() %q lacks %q", s, want)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "config", c)
	if !strings.Contains(buf.String(), `"master_key":"set"`) || !strings.Contains(buf.String(), `"log_level":"info"`) {
		t.Errorf("slog output is not a readable group: %s", buf.String())
	}
	if strings.Contains(Default().String(), "master_key=set") {
		t.Error("unset master key shown as set")
	}
}
