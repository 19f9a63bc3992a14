package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/actiongate/actiongate/internal/store/storetest"
)

// factory returns a migrated, empty store and the URL that opens another
// store (a second replica) on the same database.
type factory func(t *testing.T) (*Store, string)

// suiteCase is one test of the shared suite every backend runs.
type suiteCase struct {
	name string
	fn   func(t *testing.T, newStore factory)
}

func suiteCases() []suiteCase {
	return []suiteCase{
		{"Resources", testResources},
		{"ParamOrder", testParamOrder},
		{"ProviderResources", testProviderResources},
		{"Apply", testApply},
		{"ApplyAllOrNothing", testApplyAllOrNothing},
		{"Secrets", testSecrets},
		{"RewrapSecrets", testRewrapSecrets},
		{"Meta", testMeta},
		{"Tokens", testTokens},
		{"FirstAdminToken", testFirstAdminToken},
		{"DeleteAgent", testDeleteAgent},
		{"AgentTokenRace", testAgentTokenRace},
		{"OrphanTokensRevoked", testOrphanTokensRevoked},
		{"Runs", testRuns},
		{"RunPagination", testRunPagination},
		{"PruneRuns", testPruneRuns},
		{"RunRecordsKept", testRunRecordsKept},
		{"RunRecordsKeptOfEarlierRuns", testRunRecordsKeptOfEarlierRuns},
		{"Confirmations", testConfirmations},
		{"Intents", testIntents},
		{"ConfirmationOutcomeUnknown", testConfirmationOutcomeUnknown},
		{"Calls", testCalls},
		{"Handles", testHandles},
		{"PruneExpired", testPruneExpired},
		{"Migrate", testMigrate},
		{"MarkEstimatedRawTokens", testMarkEstimatedRawTokens},
		{"Concurrency", testConcurrency},
		{"Contacts", testContacts},
		{"ContactSearch", testContactSearch},
		{"ContactPaging", testContactPaging},
		{"Conversations", testConversations},
		{"ConversationList", testConversationList},
		{"ClaimRace", testClaimRace},
		{"ConversationNewestMessages", testConversationNewestMessages},
		{"WorkflowRunRoundTrip", testWorkflowRunRoundTrip},
		{"WorkflowRunInvalid", testWorkflowRunInvalid},
		{"WorkflowRunDedupRace", testWorkflowRunDedupRace},
		{"WorkflowRunCAS", testWorkflowRunCAS},
		{"StalledWorkflowRuns", testStalledWorkflowRuns},
		{"WorkflowRunList", testWorkflowRunList},
		{"WorkflowRunListBounds", testWorkflowRunListBounds},
		{"CountWorkflowRuns", testCountWorkflowRuns},
		{"PruneWorkflowRuns", testPruneWorkflowRuns},
	}
}

func runSuite(t *testing.T, newStore factory) {
	for _, c := range suiteCases() {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newStore) })
	}
}

func TestSQLite(t *testing.T) {
	runSuite(t, func(t *testing.T) (*Store, string) {
		u := "sqlite:" + filepath.Join(t.TempDir(), "actiongate.db")
		return openMigrated(t, u), u
	})
}

func TestPostgres(t *testing.T) {
	if os.Getenv(storetest.EnvPostgresURL) == "" {
		t.Skip(storetest.EnvPostgresURL + " is not set: skipping the PostgreSQL store suite (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	runSuite(t, func(t *testing.T) (*Store, string) {
		u := storetest.PostgresURL(t, "store_test")
		return openMigrated(t, u), u
	})
}

// openMigrated opens and migrates a store, closed when t ends.
func openMigrated(t *testing.T, u string) *Store {
	t.Helper()
	s := openStore(t, u)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// openStore opens a store without migrating it, closed when t ends.
func openStore(t *testing.T, u string) *Store {
	t.Helper()
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// wantErr fails t unless err wraps target.
func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

// must fails t on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
