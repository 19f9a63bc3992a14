package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/secret"
)

// treeState describes every entry under root: path, type and mode, size,
// modification time and a hash of the content, one line each.
func treeState(t *testing.T, root string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		line := fmt.Sprintf("%s %s", rel, info.Mode())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			line += fmt.Sprintf(" %d %s %s", info.Size(), info.ModTime().UTC().Format("15:04:05.000000000"), hex.EncodeToString(sum[:8]))
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// assertSameTree fails when root changed since before was taken.
func assertSameTree(t *testing.T, what, root, before string) {
	t.Helper()
	if after := treeState(t, root); after != before {
		t.Errorf("%s changed the disk:\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// newKeyText returns a fresh master key as ACTIONGATE_MASTER_KEY takes it.
func newKeyText(t *testing.T) string {
	t.Helper()
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return secret.EncodeKey(key)
}

// A start refused because the master key does not open the stored secrets
// leaves the data directory byte for byte as it was: no new key file, no
// migration, no database change, whichever way the key is wrong.
func TestRefusedStartChangesNothingOnDisk(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_ADDR"] = "127.0.0.1:0"
	h.ok("stored-value\n", "secret", "set", "bin_token")
	dataDir := h.vars["ACTIONGATE_DATA_DIR"]
	keyPath := filepath.Join(dataDir, "master.key")
	original, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what string, wantErr string, args ...string) {
		t.Helper()
		before := treeState(t, h.dir)
		r := h.fails("new-value\n", args...)
		if !strings.Contains(r.stderr, wantErr) || !strings.Contains(r.stderr, "nothing was changed") {
			t.Errorf("%s: stderr %q, want it to say %q and that nothing was changed", what, r.stderr, wantErr)
		}
		assertSameTree(t, what, h.dir, before)
	}

	h.vars["ACTIONGATE_MASTER_KEY"] = newKeyText(t)
	refused("serve with a wrong ACTIONGATE_MASTER_KEY", "does not open this database's secrets", "serve")
	refused("secret set with a wrong ACTIONGATE_MASTER_KEY", "does not open this database's secrets", "secret", "set", "other")
	delete(h.vars, "ACTIONGATE_MASTER_KEY")

	if err := os.Rename(keyPath, filepath.Join(h.dir, "moved.key")); err != nil {
		t.Fatal(err)
	}
	refused("serve without the key file", "the key file "+keyPath+" is missing", "serve")
	refused("apply without the key file", "the key file "+keyPath+" is missing", "apply", h.resourceDir())
	if _, err := os.Stat(keyPath); err == nil {
		t.Fatal("a refused start wrote a new master.key")
	}

	if err := os.WriteFile(keyPath, []byte(newKeyText(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused("serve with a different key file", "does not open this database's secrets", "serve")

	if err := os.WriteFile(keyPath, original, 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := h.storedSecret("bin_token"); err != nil || v != "stored-value" {
		t.Fatalf("with the original key back the secret reads %q, %v", v, err)
	}
}

// A key that cannot be used at all stops the start before a database file
// or directory is created.
func TestRefusedStartCreatesNoDatabase(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_ADDR"] = "127.0.0.1:0"
	dataDir := h.vars["ACTIONGATE_DATA_DIR"]
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dataDir, "master.key")
	for _, tc := range []struct {
		what, content string
		mode          os.FileMode
		wantErr       string
	}{
		{"a key file others can read", newKeyText(t), 0o644, "chmod 600"},
		{"a key file that holds no key", "not a key", 0o600, "neither hex nor base64"},
	} {
		if err := os.WriteFile(keyPath, []byte(tc.content), tc.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(keyPath, tc.mode); err != nil {
			t.Fatal(err)
		}
		before := treeState(t, h.dir)
		r := h.fails("", "serve")
		if !strings.Contains(r.stderr, tc.wantErr) {
			t.Errorf("%s: stderr %q, want %q", tc.what, r.stderr, tc.wantErr)
		}
		assertSameTree(t, "serve with "+tc.what, h.dir, before)
	}
}

// newDesktopCLI is a harness with no data directory setting, as a desktop
// client starts the command: HOME is a fresh directory, the working
// directory is a fresh "work" directory, and XDG_DATA_HOME is unset.
func newDesktopCLI(t *testing.T) *cliHarness {
	t.Helper()
	h := newCLI(t)
	delete(h.vars, "ACTIONGATE_DATA_DIR")
	h.vars["HOME"] = filepath.Join(h.dir, "home")
	h.vars["ACTIONGATE_ADDR"] = "127.0.0.1:0"
	for _, d := range []string{"home", "work", "elsewhere"} {
		if err := os.Mkdir(filepath.Join(h.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(filepath.Join(h.dir, "work"))
	return h
}

// userDataDir is the per-user data directory under the harness's HOME.
func (h *cliHarness) userDataDir() string {
	return filepath.Join(h.vars["HOME"], ".local", "share", "actiongate")
}

// mcpTools runs `actiongate mcp --agent agent` in-process, lists its tools
// with the MCP client and returns their names.
func (h *cliHarness) mcpTools(agent string) []string {
	h.t.Helper()
	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	var errOut bytes.Buffer
	e := &env{stdin: serverIn, stdout: serverOut, stderr: &errOut, getenv: func(k string) string { return h.vars[k] }}
	code := make(chan int, 1)
	go func() {
		code <- run(context.Background(), []string{"mcp", "--agent", agent}, e)
		serverOut.Close()
	}()
	client := mcp.NewClient(&mcp.Implementation{Name: "desktop", Version: "1"}, nil)
	cs, err := client.Connect(h.t.Context(), &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, nil)
	if err != nil {
		h.t.Fatalf("connecting: %v (exit %d, stderr %s)", err, <-code, errOut.String())
	}
	list, err := cs.ListTools(h.t.Context(), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	cs.Close()
	if c := <-code; c != 0 {
		h.t.Fatalf("actiongate mcp exited %d: %s", c, errOut.String())
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	return names
}

// assertNoDataRefusal checks that a read-only command refused for want of
// data, said where it looked and how to point it at the server's data, and
// wrote nothing to standard output.
func assertNoDataRefusal(t *testing.T, r result, dataDir string) {
	t.Helper()
	for _, want := range []string{"found no actiongate data", dataDir, "never creates a database or a master key",
		"ACTIONGATE_DATA_DIR", "ACTIONGATE_DATABASE_URL", "--config"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing (it carries the protocol)", r.stdout)
	}
}

// (a) With no data anywhere, every command that only reads or calls
// refuses with directions and creates nothing: no ./actiongate-data, no
// per-user directory, no key.
func TestReadOnlyCommandsWithoutDataRefuseAndCreateNothing(t *testing.T) {
	h := newDesktopCLI(t)
	before := treeState(t, h.dir)
	for _, args := range [][]string{
		{"mcp", "--agent", "helper"}, {"tools", "helper"}, {"export"}, {"token", "list"}, {"secret", "list"},
		{"action", "test", "get_thing", "--arg", "id=1"},
		{"contact", "list"}, {"contact", "get", "c1"}, {"contact", "set", "c1", "--name", "x"}, {"contact", "delete", "c1"},
		{"chat", "helper"},
		{"workflow", "run", "fetch", "--input", `{"id":"T1"}`}, {"workflow", "run", "fetch", "--wait"},
		{"workflow", "runs", "fetch"}, {"workflow", "show", "r1"},
	} {
		r := h.fails("", args...)
		assertNoDataRefusal(t, r, h.userDataDir())
		if !strings.Contains(r.stderr, "per-user default") {
			t.Errorf("%v: stderr does not say why it looked there:\n%s", args, r.stderr)
		}
		assertSameTree(t, strings.Join(args, " "), h.dir, before)
	}
	h.vars["XDG_DATA_HOME"] = filepath.Join(h.dir, "xdg")
	assertNoDataRefusal(t, h.fails("", "mcp", "--agent", "helper"), filepath.Join(h.dir, "xdg", "actiongate"))
	assertSameTree(t, "mcp with XDG_DATA_HOME", h.dir, before)
}

// (b) Data in the per-user directory is found from any working directory;
// without its key, mcp refuses and writes no new one.
func TestMCPFindsDataInThePerUserDirectory(t *testing.T) {
	h := newDesktopCLI(t)
	h.ok("stored\n", "secret", "set", "bin_token")
	h.ok("", "apply", h.resourceDir())
	if _, err := os.Stat(filepath.Join(h.userDataDir(), "actiongate.db")); err != nil {
		t.Fatalf("apply did not store in the per-user directory: %v", err)
	}
	t.Chdir(filepath.Join(h.dir, "elsewhere"))
	if got, want := h.mcpTools("helper"), []string{"create_thing", "get_thing", "more_results"}; !slices.Equal(got, want) {
		t.Fatalf("mcp tools %v, want %v", got, want)
	}
	if r := h.ok("", "tools", "helper", "--format", "mcp"); !strings.Contains(r.stdout, `"get_thing"`) {
		t.Fatalf("tools: %s", r.stdout)
	}

	keyPath := filepath.Join(h.userDataDir(), "master.key")
	if err := os.Rename(keyPath, filepath.Join(h.dir, "moved.key")); err != nil {
		t.Fatal(err)
	}
	before := treeState(t, h.dir)
	r := h.fails("", "mcp", "--agent", "helper")
	assertNoDataRefusal(t, r, h.userDataDir())
	if !strings.Contains(r.stderr, "no key file at "+keyPath) {
		t.Errorf("stderr does not name the missing key file:\n%s", r.stderr)
	}
	assertSameTree(t, "mcp without the key file", h.dir, before)
}

// (c) ./actiongate-data in the working directory is used before the
// per-user directory, and the refusal says so when it holds no data.
func TestMCPHonoursActiongateDataInTheWorkingDirectory(t *testing.T) {
	h := newDesktopCLI(t)
	h.ok("stored\n", "secret", "set", "bin_token")
	h.ok("", "apply", h.resourceDir()) // into the per-user directory

	if err := os.Mkdir("actiongate-data", 0o700); err != nil {
		t.Fatal(err)
	}
	before := treeState(t, h.dir)
	r := h.fails("", "mcp", "--agent", "helper")
	assertNoDataRefusal(t, r, "./actiongate-data")
	if !strings.Contains(r.stderr, "./actiongate-data exists in the working directory") {
		t.Errorf("stderr does not say why it used ./actiongate-data:\n%s", r.stderr)
	}
	assertSameTree(t, "mcp with an empty ./actiongate-data", h.dir, before)

	h.ok("local\n", "secret", "set", "bin_token")
	h.file("res/4-nearby.yaml", "kind: Agent\nname: nearby\ndescription: Only here.\nactions: [get_thing]\n")
	h.ok("", "apply", h.resourceDir())
	if _, err := os.Stat(filepath.Join("actiongate-data", "actiongate.db")); err != nil {
		t.Fatalf("apply did not store in ./actiongate-data: %v", err)
	}
	if got, want := h.mcpTools("nearby"), []string{"get_thing", "more_results"}; !slices.Equal(got, want) {
		t.Fatalf("mcp tools %v, want %v", got, want)
	}
	t.Chdir(filepath.Join(h.dir, "elsewhere"))
	if r := h.fails("", "tools", "nearby"); !strings.Contains(r.stderr, `no stored agent named "nearby"`) {
		t.Fatalf("outside the working directory the per-user data should be used: %s", r.stderr)
	}
}

// (d) serve creates its data in the per-user directory on the first start
// (XDG_DATA_HOME when set), and in ./actiongate-data when that exists.
func TestServeCreatesThePerUserDataDirectory(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(h *cliHarness) string // returns the expected data directory
	}{
		{"HOME", func(h *cliHarness) string { return h.userDataDir() }},
		{"XDG_DATA_HOME", func(h *cliHarness) string {
			h.vars["XDG_DATA_HOME"] = filepath.Join(h.dir, "xdg")
			return filepath.Join(h.dir, "xdg", "actiongate")
		}},
		{"./actiongate-data", func(h *cliHarness) string {
			if err := os.Mkdir("actiongate-data", 0o700); err != nil {
				h.t.Fatal(err)
			}
			return filepath.Join(h.dir, "work", "actiongate-data")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newDesktopCLI(t)
			want := tc.setup(h)
			_, _, stop := startServe(t, h.vars)
			if code := stop(); code != 0 {
				t.Fatalf("serve exited %d", code)
			}
			for _, f := range []string{"actiongate.db", "master.key"} {
				if _, err := os.Stat(filepath.Join(want, f)); err != nil {
					t.Errorf("serve did not create %s in %s: %v", f, want, err)
				}
			}
			entries, _ := os.ReadDir(filepath.Join(h.dir, "work"))
			if tc.name != "./actiongate-data" && len(entries) != 0 {
				t.Errorf("serve created %v in the working directory", entries)
			}
			// A read-only command started anywhere finds what serve created.
			t.Chdir(filepath.Join(h.dir, "elsewhere"))
			if tc.name == "./actiongate-data" {
				t.Chdir(filepath.Join(h.dir, "work"))
			}
			if r := h.fails("", "tools", "helper"); !strings.Contains(r.stderr, `no stored agent named "helper"`) {
				t.Errorf("tools did not open the data serve created: %s", r.stderr)
			}
		})
	}
}
