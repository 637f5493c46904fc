package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// BenchmarkAPILogInsertBatch writes batches of 500 entries shaped like the
// log of a metering update (the recorder's default batch size), through
// InsertBatch on each backend and, on PostgreSQL, through the INSERT ...
// ON CONFLICT statement that COPY replaced ("postgres-insert", the
// baseline of "postgres"). Reported per entry, in wall time: on
// PostgreSQL the server's work is in another process.
//
//	go test -run '^$' -bench BenchmarkAPILogInsertBatch -benchtime 200x -count 3 ./internal/store/
func BenchmarkAPILogInsertBatch(b *testing.B) {
	const batch = 500
	type writer struct {
		name  string
		open  func(testing.TB) *store.DB
		write func(*store.DB, context.Context, []apilog.Entry) error
	}
	ws := []writer{}
	for _, be := range storetest.Backends(b) {
		ws = append(ws, writer{be.Name, be.Open, func(db *store.DB, ctx context.Context, es []apilog.Entry) error {
			return db.APILog().InsertBatch(ctx, es)
		}})
		if be.Name == "postgres" {
			ws = append(ws, writer{"postgres-insert", be.Open, (*store.DB).InsertAPILogsForTest})
		}
	}
	for _, w := range ws {
		b.Run(w.name, func(b *testing.B) {
			db := w.open(b)
			ctx := b.Context()
			saasID := uuid.NewString()
			es := make([]apilog.Entry, batch)
			at := time.Now().UTC().Truncate(time.Microsecond)
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer() // only the write is measured
				for j := range es {
					at = at.Add(time.Microsecond)
					es[j] = apilog.Entry{
						APILogID: uuid.Must(uuid.NewV7()).String(), SaaSID: saasID, TraceID: uuid.NewString(),
						APIKey: "3f1c5e9a-6b2d-4e8f-a1c3-0d9e7b5a2c41", CreatedAt: at, TTL: at.Add(30 * 24 * time.Hour),
						Method: "PUT", Status: 200, RemoteAddress: "127.0.0.1",
						RequestURI:   fmt.Sprintf("/v1/pricing/metering/tenants/%s/units/api-calls/now", saasID),
						RequestBody:  `{"method":"add","count":1}`,
						ResponseBody: fmt.Sprintf(`{"tenant_id":"%s","metering_unit_name":"api-calls","timestamp":%d,"count":%d}`, saasID, at.Unix(), i*batch+j),
					}
				}
				b.StartTimer()
				if err := w.write(db, ctx, es); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/entry")
		})
	}
}
