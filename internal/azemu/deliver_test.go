package azemu_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// countingStore counts the write transactions of the emulator.
type countingStore struct {
	azemu.Store
	writes atomic.Int64
}

func (c *countingStore) WriteTx(ctx context.Context, fn func(azemu.Tx) error) error {
	c.writes.Add(1)
	return c.Store.WriteTx(ctx, fn)
}

// An idle deliverer polls, it does not spin: a regression made it wake
// itself after every round, burning more than a core doing nothing.
func TestIdleDelivererPolls(t *testing.T) {
	st := &countingStore{Store: storetest.OpenSQLite(t).AzureEmulator()}
	svc := azemu.NewService(st, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		azemu.NewDeliverer(svc, azemu.DeliveryConfig{Poll: 50 * time.Millisecond}).Run(ctx)
		close(done)
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	<-done
	// About 10 rounds of two transactions each; a spinning loop makes
	// thousands.
	if n := st.writes.Load(); n > 60 {
		t.Fatalf("%d write transactions in 500 ms of idling with a 50 ms poll", n)
	}
}
