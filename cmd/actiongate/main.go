// Command actiongate is the actiongate server and its command-line tools.
package main

import (
	"os"

	"github.com/actiongate/actiongate/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
