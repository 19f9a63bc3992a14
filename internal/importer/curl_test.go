package importer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

// TestCurlGolden imports each testdata/curl/*.txt command and compares
// the YAML and the summary with the golden files beside it.
func TestCurlGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/curl/*.txt")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no cURL inputs: %v", err)
	}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".summary.txt") {
			continue
		}
		base := strings.TrimSuffix(in, ".txt")
		t.Run(filepath.Base(base), func(t *testing.T) {
			line, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Curl(string(line), Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, base+".yaml", checkResult(t, r))
			checkGolden(t, base+".summary.txt", []byte(r.Summary.Text()))
		})
	}
}

// TestCurlNameAndPrefix checks that --name and --prefix name the action.
func TestCurlNameAndPrefix(t *testing.T) {
	r, err := Curl("curl https://api.example.com/v1/pets", Options{Name: "List Pets", Prefix: "zoo-"})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Summary.Imported; len(got) != 1 || got[0] != "zoo_list_pets" {
		t.Errorf("imported %v, want [zoo_list_pets]", got)
	}
	r, err = Curl("curl https://api.example.com/v1/pets", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Summary.Imported[0]; got != "get_v1_pets" {
		t.Errorf("derived name %q, want get_v1_pets", got)
	}
}

// TestCurlSecretsNeverWritten imports a command full of distinctive
// secrets and checks that none of them appears in the YAML, the summary,
// the JSON of the result, or the error of a broken variant.
func TestCurlSecretsNeverWritten(t *testing.T) {
	secrets := []string{"CANARYbearer7Q", "CANARYpass9Z", "CANARYhdrkey3X", "CANARYqrykey5W", "CANARYcookie1V", "CANARYbodypw2U", "CANARYuserkey8T"}
	lines := []string{
		`curl -H 'Authorization: Bearer CANARYbearer7Q' -H 'X-API-Key: CANARYhdrkey3X' -b 'sid=CANARYcookie1V' 'https://api.example.com/v1/login?api_key=CANARYqrykey5W&page=1' --json '{"user":"jo","password":"CANARYbodypw2U"}'`,
		`curl -u admin:CANARYpass9Z 'https://api.example.com/v1/me?token=CANARYqrykey5W'`,
		`curl -u CANARYuserkey8T: https://api.example.com/v1/charges -d amount=5`,
		`curl https://admin:CANARYpass9Z@api.example.com/v1/me`,
		`curl -H 'Authorization: Basic ` + "YWRtaW46Q0FOQVJZcGFzczla" + `' https://api.example.com/v1/me`,
	}
	for i, line := range lines {
		r, err := Curl(line, Options{})
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		out := checkResult(t, r)
		js, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			for what, text := range map[string]string{"YAML": string(out), "summary": r.Summary.Text(), "JSON": string(js)} {
				if strings.Contains(text, s) {
					t.Errorf("line %d: secret %s appears in the %s:\n%s", i, s, what, text)
				}
			}
		}
		if len(r.Summary.SecretCommands()) == 0 {
			t.Errorf("line %d: no secret to set listed:\n%s", i, r.Summary.Text())
		}
	}
	broken := []string{
		`curl -H 'Authorization: Bearer CANARYbearer7Q' 'https://api.example.com/v1/x' --json '{"password":"CANARYbodypw2U",}'`,
		`curl -X TRACE -u admin:CANARYpass9Z 'https://api.example.com/v1/x'`,
		`curl 'https://api.example.com/%zzCANARYqrykey5W'`,
		`curl -H 'X-Api-Key: CANARYhdrkey3X`,
	}
	for i, line := range broken {
		_, err := Curl(line, Options{})
		if err == nil {
			t.Fatalf("broken line %d: no error", i)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("broken line %d: secret %s appears in the error %q", i, s, err)
			}
		}
	}
}

// TestCurlErrors checks the errors a person sees for bad commands.
func TestCurlErrors(t *testing.T) {
	cases := []struct{ line, want string }{
		{`curl 'https://api.example.com/x`, "single quote opened at column 6 is never closed"},
		{`curl -H "Accept: x`, "double quote opened at column 9 is never closed"},
		{"curl \\\n  -d $'{\"a\":1", "$' quote opened at line 2, column 6 is never closed"},
		{`curl -s`, "the command names no URL"},
		{`curl -X OPTIONS https://api.example.com/`, `method "OPTIONS"`},
		{`curl ftp://files.example.com/a`, "scheme must be http or https"},
		{`curl https://api.example.com/ -H`, "flag -H needs a value"},
		{`curl https://api.example.com/ -H NoColon`, "has no colon"},
	}
	for _, c := range cases {
		_, err := Curl(c.line, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "importer: ") {
			t.Errorf("Curl(%q) = %v, want an importer error containing %q", c.line, err, c.want)
		}
	}
	_, err := Curl(`curl 'x`, Options{})
	if !errors.Is(err, errUnclosed) {
		t.Errorf("unclosed quote error %v does not wrap errUnclosed", err)
	}
}

// TestShellWords checks the quoting a pasted command uses.
func TestShellWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`a 'b c' "d \"e\" \$f \x"`, []string{"a", "b c", `d "e" $f \x`}},
		{`a\ b c\` + "\n" + `d`, []string{"a b", "cd"}},
		{"a \\\r\n b", []string{"a", "b"}},
		{`$'x\ty\n\'\x41\u00e9'`, []string{"x\ty\n'Aé"}},
		{`pre'mid'"post"`, []string{"premidpost"}},
		{`'' ""`, []string{"", ""}},
	}
	for _, c := range cases {
		got, err := shellWords(c.in)
		if err != nil {
			t.Fatalf("shellWords(%q): %v", c.in, err)
		}
		if strings.Join(got, "\x00") != strings.Join(c.want, "\x00") || len(got) != len(c.want) {
			t.Errorf("shellWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCurlHostileInput checks that huge and odd inputs end quickly with a
// result or an error, never a panic or a hang.
func TestCurlHostileInput(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	inputs := map[string]string{
		"1 MB unclosed quote": "curl '" + big,
		"1 MB URL":            "curl https://api.example.com/" + big,
		"1 MB JSON body":      `curl https://api.example.com/ --json '{"a":"` + big + `"}'`,
		"100k flags":          "curl https://api.example.com/" + strings.Repeat(" -s -H 'A: b' --zap", 100_000),
		"100k data fields":    "curl https://api.example.com/ -d '" + strings.Repeat("k=v&", 100_000) + "'",
		"deep JSON":           `curl https://api.example.com/ --json '` + strings.Repeat("[", 100_000) + `'`,
		"only backslashes":    strings.Repeat(`\`, 1<<20),
		"binary":              "curl \x00\xff\xfe 'https://api.example.com/\x00'",
	}
	for name, in := range inputs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		r, err := Curl(in, Options{})
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		if took > 5*time.Second {
			t.Errorf("%s: took %v", name, took)
		}
		// A line's words, its JSON and its YAML are a few copies of it.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64*uint64(len(in))+16<<20 {
			t.Errorf("%s: allocated %d MiB for a %d KiB line", name, alloc>>20, len(in)>>10)
		}
		t.Logf("%s: %v, %d KiB allocated", name, took.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>10)
		if err == nil {
			if errs := action.Validate(r.Resources); len(errs) > 0 {
				t.Errorf("%s: result does not validate: %v", name, errs[0])
			}
		}
	}
}
