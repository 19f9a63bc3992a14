package secret

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// EnvPrefix starts the name of every environment variable that holds a
// secret for {{secret.NAME}} placeholders.
const EnvPrefix = "ACTIONGATE_SECRET_"

// maxNameLen bounds secret names, like placeholder names.
const maxNameLen = 64

// EnvName returns the environment variable that holds the secret called
// name: EnvPrefix followed by the name upper-cased with '-' turned into '_'
// ("shop-token" -> ACTIONGATE_SECRET_SHOP_TOKEN).
func EnvName(name string) string {
	return EnvPrefix + strings.ReplaceAll(strings.ToUpper(name), "-", "_")
}

// ValidateName reports whether name may name a secret: 1 to 64 letters,
// digits, '_' or '-', the same names {{secret.NAME}} accepts.
func ValidateName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("secret: invalid name %q: must be 1 to %d characters", name, maxNameLen)
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
		default:
			return fmt.Errorf("secret: invalid name %q: letters, digits, _ and - only", name)
		}
	}
	return nil
}

// EnvSource resolves secrets from the environment alone, for running
// actions from resource files without a server or database.
type EnvSource struct {
	// Getenv reads an environment variable; nil means os.Getenv.
	Getenv func(string) string
}

func (e EnvSource) getenv(name string) string {
	if e.Getenv == nil {
		return os.Getenv(name)
	}
	return e.Getenv(name)
}

// LookupSecret returns the value of {{secret.NAME}} from the environment
// variable EnvName(name). An unset or empty variable gives an error wrapping
// ErrNotFound that names the variable to set.
func (e EnvSource) LookupSecret(_ context.Context, name string) (string, error) {
	if err := ValidateName(name); err != nil {
		return "", err
	}
	if v := e.getenv(EnvName(name)); v != "" {
		return v, nil
	}
	return "", notSetError(name, false)
}

// ResolveSecret returns the value a credential field refers to: {env: VAR}
// reads VAR, {secret: NAME} reads EnvName(NAME). See Resolver.ResolveSecret
// for which variables {env: VAR} may name.
func (e EnvSource) ResolveSecret(ctx context.Context, ref action.SecretRef) (string, error) {
	return resolveRef(ctx, ref, e.getenv, e.LookupSecret)
}
