package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/importer"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// importFlags are the flags every `import` command shares.
type importFlags struct {
	tags       []string
	operations []string
	pathPrefix string
	methods    []string
	deprecated bool
	server     string
	prefix     string
	name       string
	out        string
	apply      bool
}

func newImportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Turn an OpenAPI description, a Postman collection or a cURL line into actions",
		Long: `Turn what an API already publishes into resource YAML that validate and
apply read unchanged: one action per operation, and credentials bound to the
API's host whose secret parts are {secret: NAME} references, never values.

The YAML goes to standard output (or -o FILE) and the summary to standard
error: what was imported, what was skipped and why, and the
'actiongate secret set' commands the credentials need. --apply stores the
result as apply does: validated with the stored resources, all or nothing.`,
	}
	cmd.AddCommand(
		newImportSourceCmd(e, importer.FormatOpenAPI, "openapi FILE|-", "Import the operations of an OpenAPI 3.0/3.1 or Swagger 2.0 description (YAML or JSON)"),
		newImportSourceCmd(e, importer.FormatPostman, "postman FILE|-", "Import the requests of a Postman collection (v2.0 or v2.1)"),
		newImportCurlCmd(e),
	)
	return cmd
}

// newImportSourceCmd is `import openapi` or `import postman`.
func newImportSourceCmd(e *env, f importer.Format, use, short string) *cobra.Command {
	var fl importFlags
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := readSource(e, args[0])
			if err != nil {
				return err
			}
			return runImport(cmd, e, f, src, &fl)
		},
	}
	selectionFlags(cmd, &fl)
	return cmd
}

func newImportCurlCmd(e *env) *cobra.Command {
	var fl importFlags
	cmd := &cobra.Command{
		Use:   "curl 'curl ...' | -- curl ARGS... | -",
		Short: "Import one cURL command line, as copied from an API's docs or a browser",
		Long: `Import one cURL command line. Pass it as one quoted argument, as the words
after --, or on standard input with -. A token, password or API key the line
carries becomes a credential whose value is not written: the summary names
the 'actiongate secret set' command to run with it.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := []byte(curlLine(args))
			if len(args) == 1 && args[0] == "-" {
				var err error
				if src, err = readSource(e, "-"); err != nil {
					return err
				}
			}
			return runImport(cmd, e, importer.FormatCurl, src, &fl)
		},
	}
	cmd.Flags().StringVar(&fl.name, "name", "", "the action's name (default: from the method and URL)")
	commonImportFlags(cmd, &fl)
	return cmd
}

// selectionFlags adds the flags that pick operations, and the common ones.
func selectionFlags(cmd *cobra.Command, fl *importFlags) {
	f := cmd.Flags()
	f.StringArrayVar(&fl.tags, "tag", nil, "import only operations with this tag (Postman: folder) (repeatable)")
	f.StringArrayVar(&fl.operations, "operation", nil, "import only this operation: operationId, action name or 'METHOD /path' (repeatable)")
	f.StringVar(&fl.pathPrefix, "path-prefix", "", "import only operations whose path starts with this")
	f.StringArrayVar(&fl.methods, "method", nil, "import only operations with this method (repeatable)")
	f.BoolVar(&fl.deprecated, "deprecated", false, "also import operations marked deprecated")
	f.StringVar(&fl.server, "server", "", "base URL to use instead of the one the source declares")
	commonImportFlags(cmd, fl)
}

// commonImportFlags adds the flags every import command has.
func commonImportFlags(cmd *cobra.Command, fl *importFlags) {
	f := cmd.Flags()
	f.StringVar(&fl.prefix, "prefix", "", "put this before every generated name")
	f.StringVarP(&fl.out, "output", "o", "", "write the YAML to this file instead of standard output")
	f.BoolVar(&fl.apply, "apply", false, "store the result directly (validated with the stored resources, all or nothing)")
}

// curlLine joins the words of a cURL command given as several arguments
// back into one line, each word single-quoted; one argument is the line.
func curlLine(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	words := make([]string, len(args))
	for i, a := range args {
		words[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(words, " ")
}

// readSource reads a source file, or standard input for "-", up to the
// importer's bound.
func readSource(e *env, name string) ([]byte, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("reading the source: %w", unwrapPath(err))
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, importer.MaxSourceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the source %s: %w", name, err)
	}
	if len(data) > importer.MaxSourceBytes {
		return nil, fmt.Errorf("the source %s is over the %d MiB limit", name, importer.MaxSourceBytes>>20)
	}
	return data, nil
}

// unwrapPath shortens an *os.PathError to its operation's cause and path.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

func (fl *importFlags) options() importer.Options {
	return importer.Options{
		Select: importer.Selection{Tags: fl.tags, Operations: fl.operations, PathPrefix: fl.pathPrefix, Methods: fl.methods, Deprecated: fl.deprecated},
		Server: fl.server,
		Prefix: fl.prefix,
		Name:   fl.name,
	}
}

// runImport imports src, writes the YAML and the summary, and applies the
// result when asked.
func runImport(cmd *cobra.Command, e *env, f importer.Format, src []byte, fl *importFlags) error {
	var (
		yaml     []byte
		summary  importer.Summary
		problems action.Errors
		applied  []gateway.Applied
		unset    []string
	)
	if fl.apply {
		g, err := openGateway(cmd, e)
		if err != nil {
			return err
		}
		defer g.Close()
		imp, err := g.Import(cmd.Context(), gateway.ImportRequest{Format: f, Source: src, Options: fl.options(), Apply: true})
		if err != nil {
			return err
		}
		yaml, summary, problems, applied, unset = imp.YAML, imp.Summary, imp.Problems, imp.Applied, imp.UnsetSecrets
	} else {
		tok, err := respfilter.NewTokenizer()
		if err != nil {
			return err
		}
		o := fl.options()
		o.Filter = respfilter.New(tok)
		res, err := importer.Import(f, src, o)
		if err != nil {
			return err
		}
		if yaml, err = res.YAML(); err != nil {
			return err
		}
		summary, problems, unset = res.Summary, action.Validate(res.Resources), nil
		for _, c := range summary.Credentials {
			unset = append(unset, c.Secrets...)
		}
	}
	return reportImport(e, fl, yaml, summary, problems, applied, unset)
}

// reportImport writes the YAML where asked and the summary beside it; it
// fails when the generated resources have problems.
func reportImport(e *env, fl *importFlags, yaml []byte, s importer.Summary, problems action.Errors, applied []gateway.Applied, unset []string) error {
	info := e.stderr
	switch {
	case fl.out != "":
		if err := os.WriteFile(fl.out, yaml, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", fl.out, unwrapPath(err))
		}
		info = e.stdout
	case !fl.apply:
		if _, err := e.stdout.Write(yaml); err != nil {
			return err
		}
	}
	s.Credentials = onlyUnset(s.Credentials, unset)
	fmt.Fprint(info, s.Text())
	for _, a := range applied {
		fmt.Fprintf(info, "%-10s %s/%s\n", a.Change, a.Kind, a.Name)
	}
	if len(problems) > 0 {
		for _, fe := range problems {
			fmt.Fprintln(e.stderr, fe.Error())
		}
		if fl.apply {
			fmt.Fprintf(e.stderr, "%d problem(s) found; nothing was applied\n", len(problems))
		} else {
			fmt.Fprintf(e.stderr, "%d problem(s) found in the generated resources\n", len(problems))
		}
		return &exitError{code: 1}
	}
	return nil
}

// onlyUnset keeps, of each credential's secrets, those still to be set, so
// the summary does not ask for a secret the store already has.
func onlyUnset(creds []importer.CredentialNote, unset []string) []importer.CredentialNote {
	want := map[string]bool{}
	for _, s := range unset {
		want[s] = true
	}
	out := make([]importer.CredentialNote, len(creds))
	for i, c := range creds {
		c.Secrets = nil
		for _, s := range creds[i].Secrets {
			if want[s] {
				c.Secrets = append(c.Secrets, s)
			}
		}
		out[i] = c
	}
	return out
}
