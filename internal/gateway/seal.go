package gateway

import "fmt"

// Seal encrypts plain under the master key, bound to label: Unseal opens
// it only with the same label. The console seals its session cookies so.
func (g *Gateway) Seal(label string, plain []byte) ([]byte, error) {
	ct, err := g.keyring.Encrypt(label, plain)
	if err != nil {
		return nil, fmt.Errorf("gateway: sealing: %w", err)
	}
	return ct, nil
}

// Unseal opens what Seal sealed with label; anything else, or a value
// sealed under another master key, is an error.
func (g *Gateway) Unseal(label string, sealed []byte) ([]byte, error) {
	plain, err := g.keyring.Decrypt(label, sealed)
	if err != nil {
		return nil, fmt.Errorf("gateway: unsealing: %w", err)
	}
	return plain, nil
}
