package jobs

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/saasplane/saasplane/internal/store/storetest"
)

// BenchmarkInsertAndWork measures a job's whole cost through the engine:
// insert (in batches of 100, as a sweep would), fetch, work, complete.
func BenchmarkInsertAndWork(b *testing.B) {
	for _, be := range storetest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			db := be.Open(b)
			var worked atomic.Int64
			e, err := New(db.JobDriver(), Config{PollInterval: 10 * time.Millisecond, Workers: 8}, nil, quiet)
			if err != nil {
				b.Fatal(err)
			}
			Handle(e, func(ctx context.Context, j countJob) error { worked.Add(1); return nil })
			if err := e.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			defer e.Stop(context.Background())
			b.ResetTimer()
			for i := 0; i < b.N; i += 100 {
				batch := make([]river.InsertManyParams, 0, 100)
				for k := i; k < min(i+100, b.N); k++ {
					batch = append(batch, river.InsertManyParams{Args: countJob{Key: k}})
				}
				if _, err := e.client.InsertMany(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			deadline := time.Now().Add(5 * time.Minute)
			for worked.Load() < int64(b.N) {
				if time.Now().After(deadline) {
					b.Fatalf("worked %d of %d jobs in 5 min", worked.Load(), b.N)
				}
				time.Sleep(time.Millisecond)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}
