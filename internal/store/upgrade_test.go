package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/identity"
	marketaws "github.com/saasplane/saasplane/internal/marketplace/aws"
	marketazure "github.com/saasplane/saasplane/internal/marketplace/azure"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// unmigrated opens a new, empty database of each kind, for a test to
// migrate step by step.
var unmigrated = []struct {
	name string
	open func(t *testing.T) *store.DB
}{
	{"sqlite", func(t *testing.T) *store.DB {
		db, err := store.OpenSQLite(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
	{"postgres", func(t *testing.T) *store.DB { return storetest.NewPostgresDB(t) }},
}

// deliveriesAsJobs is the migration, per dialect, that turned the
// emulators' hand-made deliverers into jobs.
var deliveriesAsJobs = map[store.Dialect]int{store.SQLite: 17, store.Postgres: 16}

// An upgrade keeps what the old deliverers had queued: every subscription
// with a pending message gets its delivery job, and nothing else does.
func TestUpgradeQueuesPendingDeliveriesAsJobs(t *testing.T) {
	for _, b := range unmigrated {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := b.open(t)
			if err := db.MigrateTo(ctx, deliveriesAsJobs[db.Dialect()]-1); err != nil {
				t.Fatal(err)
			}
			// Rows as the previous version wrote them: one subscription with
			// a message leased by a deliverer, one whose messages are all
			// done, per emulator.
			exec := func(q string, args ...any) {
				t.Helper()
				if err := db.ExecForTest(ctx, q, args...); err != nil {
					t.Fatal(err)
				}
			}
			exec(`INSERT INTO saas (id, name, created_at) VALUES ('s1', 'old', 1)`)
			exec(`INSERT INTO awsemu_sns_subscriptions (subscription_arn, saas_id, topic_arn, endpoint, token, created_at, confirmed_at)
				VALUES ('arn:pending', 's1', 't', 'http://x', 'tok', 1, 1)`)
			msg := `INSERT INTO awsemu_sns_messages (message_id, saas_id, subscription_arn, endpoint, type, topic_arn, message,
				published_at, status, next_attempt_at, claimed_until) VALUES (?, 's1', ?, 'http://x', 'Notification', 't', '{}', 1, ?, 1, ?)`
			exec(msg, "m1", "arn:pending", "pending", 99)
			exec(msg, "m2", "arn:pending", "pending", 0)
			exec(msg, "m3", "arn:done", "delivered", 0)
			hook := `INSERT INTO azemu_webhooks (id, saas_id, subscription_id, operation_id, endpoint, body, status, created_at,
				next_attempt_at, claimed_until) VALUES (?, 's1', ?, 'op', 'http://x', '{}', ?, 1, 1, ?)`
			exec(hook, "w1", "sub-pending", "pending", 99)
			exec(hook, "w2", "sub-done", "failed", 0)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}

			rows, err := db.JobReadPool().QueryContext(ctx, `SELECT kind, queue, state FROM river_job ORDER BY kind`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var kind, queue, state string
				if err := rows.Scan(&kind, &queue, &state); err != nil {
					t.Fatal(err)
				}
				got = append(got, kind+"/"+queue+"/"+state)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			want := []string{
				azemu.DeliverWebhooks{}.Kind() + "/emulators/available",
				awsemu.DeliverSNS{}.Kind() + "/emulators/available",
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("jobs after the upgrade %v, want %v", got, want)
			}
			// The jobs' arguments name the subscriptions, as the workers read them.
			var head awsemu.SNSDelivery
			if err := db.AWSEmulator().WriteTx(ctx, func(tx awsemu.Tx) (err error) {
				head, _, err = tx.NextSNSDelivery(ctx, "arn:pending")
				return err
			}); err != nil || head.MessageID != "m1" {
				t.Errorf("head of arn:pending after the upgrade: %+v, %v", head, err)
			}
			var args string
			q := `SELECT args::text FROM river_job WHERE kind = 'awsemu.deliver_sns'`
			if db.Dialect() == store.SQLite {
				q = `SELECT json(args) FROM river_job WHERE kind = 'awsemu.deliver_sns'`
			}
			if err := db.JobReadPool().QueryRowContext(ctx, q).Scan(&args); err != nil ||
				(args != `{"subscription_arn":"arn:pending"}` && args != `{"subscription_arn": "arn:pending"}`) {
				t.Errorf("args %s, %v", args, err)
			}
		})
	}
}

// usageWithoutLease is the migration, per dialect, that took the lease
// off the usage-report outboxes.
var usageWithoutLease = map[store.Dialect]int{store.SQLite: 18, store.Postgres: 17}

// An upgrade keeps every usage report and when it may be tried next: a
// report that waited for its retry, or that a sender had leased, is sent
// from the same time on, not before; one that was due stays due.
func TestUpgradeKeepsUsageReportRetryTimes(t *testing.T) {
	for _, b := range unmigrated {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := b.open(t)
			if err := db.MigrateTo(ctx, usageWithoutLease[db.Dialect()]-1); err != nil {
				t.Fatal(err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if err := db.ExecForTest(ctx, q, args...); err != nil {
					t.Fatal(err)
				}
			}
			at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
			later := at.Add(2 * time.Minute).UnixMicro() // a lease's end, or a retry's time
			exec(`INSERT INTO saas (id, name, created_at) VALUES ('s1', 'old', 1)`)
			aws := `INSERT INTO aws_usage_reports (saas_id, customer_identifier, dimension, hour, quantity, status, attempts,
				claimed_until, created_at) VALUES ('s1', ?, 'users', ?, 5, ?, 1, ?, 1)`
			exec(aws, "due", at.Add(-2*time.Hour).Unix(), "pending", 0)
			exec(aws, "leased", at.Add(-3*time.Hour).Unix(), "pending", later)
			exec(aws, "sent", at.Add(-4*time.Hour).Unix(), "sent", 0)
			az := `INSERT INTO azure_usage_reports (saas_id, subscription_id, dimension, hour, quantity, plan_id, status, attempts,
				claimed_until, created_at) VALUES ('s1', ?, 'users', ?, 5, 'gold', ?, 1, ?, 1)`
			exec(az, "due", at.Add(-2*time.Hour).Unix(), "pending", 0)
			exec(az, "retrying", at.Add(-3*time.Hour).Unix(), "pending", later)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}

			pendingAt := func(now time.Time) (got []string) {
				t.Helper()
				err := db.AWSMarketplace().ReadTx(ctx, func(tx marketaws.Tx) error {
					rs, err := tx.PendingUsageReports(ctx, "s1", now, 25)
					for _, r := range rs {
						got = append(got, "aws:"+r.CustomerIdentifier)
					}
					return err
				})
				if err == nil {
					err = db.AzureMarketplace().ReadTx(ctx, func(tx marketazure.Tx) error {
						rs, err := tx.PendingAzureUsageReports(ctx, "s1", now, 25)
						for _, r := range rs {
							got = append(got, "azure:"+r.SubscriptionID)
						}
						return err
					})
				}
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			if got, want := pendingAt(at), []string{"aws:due", "azure:due"}; !slices.Equal(got, want) {
				t.Errorf("pending at the upgrade: %v, want %v", got, want)
			}
			// Oldest hour first.
			if got, want := pendingAt(at.Add(2*time.Minute)), []string{"aws:leased", "aws:due", "azure:retrying", "azure:due"}; !slices.Equal(got, want) {
				t.Errorf("pending after the retry time: %v, want %v", got, want)
			}
		})
	}
}

// identityEnvs is the migration that adds envs and roles, per dialect.
var identityEnvs = map[store.Dialect]int{store.SQLite: 20, store.Postgres: 19}

// An upgrade gives every SaaS that existed before envs its production env,
// as a SaaS created afterwards has from the start.
func TestUpgradeGivesEverySaaSItsProductionEnv(t *testing.T) {
	for _, b := range unmigrated {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := b.open(t)
			if err := db.MigrateTo(ctx, identityEnvs[db.Dialect()]-1); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"s1", "s2"} {
				if err := db.ExecForTest(ctx, `INSERT INTO saas (id, name, created_at) VALUES (?, 'old', 1)`, id); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.InsertSaaS(ctx, saas.SaaS{ID: "s3", Name: "new", CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"s1", "s2", "s3"} {
				var envs []identity.Env
				err := db.Identity().ReadTx(ctx, func(tx identity.Tx) error {
					var err error
					envs, err = tx.Envs(ctx, id)
					return err
				})
				if err != nil || len(envs) != 1 || envs[0] != identity.DefaultEnv {
					t.Errorf("SaaS %s's envs = %v, %v; want only %v", id, envs, err, identity.DefaultEnv)
				}
			}
		})
	}
}
