package authapi_test

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store"
)

// userInfoClients is how many concurrent clients the userinfo benchmark
// runs, as an app's servers calling userinfo on every request would.
const userInfoClients = 64

// otherMembers is how many other members the benchmark's SaaS has, in
// its tenants, so that a read that grows with the SaaS's members rather
// than the user's shows.
const otherMembers = 2000

// addMembers adds n users to the SaaS, each a member of every tenant it
// has, in one transaction through the store (a stored hash, not hashed
// again: argon2 would make the setup take minutes).
func addMembers(b *testing.B, db *store.DB, saasID string, n int) {
	b.Helper()
	ctx := b.Context()
	err := db.Identity().WriteTx(ctx, func(tx identity.Tx) error {
		tenants, err := tx.Members(ctx, saasID, identity.MemberFilter{})
		if err != nil {
			return err
		}
		hash, err := identity.HashPassword(rand.Reader, goodPassword, identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1})
		if err != nil {
			return err
		}
		now := time.Now()
		for i := range n {
			u := identity.User{ID: fmt.Sprintf("member-%05d", i), Email: fmt.Sprintf("member%05d@example.com", i), CreatedAt: now}
			if err := tx.InsertUser(ctx, saasID, u, identity.Password{Hash: hash}); err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, m := range tenants {
				if !seen[m.Tenant.ID] {
					seen[m.Tenant.ID] = true
					if err := tx.InsertMember(ctx, saasID, m.Tenant.ID, u.ID, map[string]any{}, now); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// pacedRate is the steady load of the latency phase, in requests a
// second (or half the measured throughput, when that is less).
const pacedRate = 1000

// BenchmarkUserInfo measures a signed GET /v1/auth/userinfo?token=... of
// a user in two tenants with a role in each (among otherMembers other
// members of both), through the whole stack over
// loopback TCP on SQLite, with 64 concurrent clients, against the
// baseline of the same clients doing a signed GET
// /v1/pricing/metering/units (one meter). The two alternate in 6 rounds
// of b.N/6 requests each, so that the machine's drift hits both alike. It
// reports each one's req/s and latency percentiles, and ratio: userinfo
// req/s over baseline req/s.
func BenchmarkUserInfo(b *testing.B) {
	db := apitest.OpenSQLite(b)
	srv := apitest.NewServer(b, db)
	srv.Upstream = nil // measure the server, not the schema checks
	c := srv.NewSaaS(b)
	c.Do(b, "POST", "/v1/pricing/metering/units", obj{"unit_name": "calls", "display_name": "Calls", "description": "d", "aggregate_usage": "sum"}).Want(b, 201)
	userID := c.Do(b, "POST", A+"/users", obj{"email": "ann@example.com", "password": goodPassword}).Want(b, 201).JSON(b)["id"].(string)
	c.Do(b, "POST", A+"/roles", obj{"role_name": "admin", "display_name": "Admin"}).Want(b, 201)
	for _, name := range []string{"acme", "globex"} {
		tn := newTenant(b, c, name)
		c.Do(b, "POST", A+"/tenants/"+tn+"/users", obj{"email": "ann@example.com", "attributes": obj{}}).Want(b, 201)
		c.Do(b, "POST", A+"/tenants/"+tn+"/users/"+userID+"/envs/3/roles", obj{"role_names": []string{"admin"}}).Want(b, 201)
	}
	addMembers(b, db, c.SaaSID, otherMembers)
	tok, err := srv.Identity.StartSession(b.Context(), c.SaaSID, userID)
	if err != nil {
		b.Fatal(err)
	}
	base := newLoad(srv, c, "/v1/pricing/metering/units")
	info := newLoad(srv, c, A+"/userinfo?token="+url.QueryEscape(tok.IDToken))
	defer base.close()
	defer info.close()
	base.run(2 * userInfoClients) // warm up connections, caches and keys
	info.run(2 * userInfoClients)
	base.reset()
	info.reset()
	const rounds = 6
	per := max(b.N/rounds, userInfoClients)
	b.ResetTimer()
	for range rounds {
		base.run(per)
		info.run(per)
	}
	b.StopTimer()
	for _, l := range []*load{base, info} {
		if n := l.failures.Load(); n > 0 {
			b.Fatalf("%s: %d requests failed", l.path, n)
		}
	}
	br, ir := base.rps(), info.rps()
	b.ReportMetric(br, "base-req/s")
	b.ReportMetric(ir, "userinfo-req/s")
	b.ReportMetric(ir/br, "ratio")
	b.ReportMetric(base.percentile(99), "base-p99-ms")
	b.ReportMetric(info.percentile(50), "p50-ms")
	b.ReportMetric(info.percentile(99), "p99-ms")

	// Latency below saturation: the same requests offered at a steady
	// pacedRate (at most half the userinfo throughput just measured), so
	// that the percentiles show the request's own cost rather than the
	// queue of 64 clients waiting on two cores.
	rate := min(ir/2, pacedRate)
	base.reset()
	info.reset()
	for range rounds / 2 {
		base.paced(per, rate)
		info.paced(per, rate)
	}
	b.ReportMetric(rate, "paced-req/s")
	b.ReportMetric(base.percentile(99), "paced-base-p99-ms")
	b.ReportMetric(info.percentile(99), "paced-p99-ms")
}

// paced sends n requests at rate per second, each from its own
// goroutine (at most userInfoClients at once), whatever the answers'
// pace: an open-loop load.
func (l *load) paced(n int, rate float64) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, userInfoClients)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			took := l.send()
			<-slots
			mu.Lock()
			l.took = append(l.took, took)
			mu.Unlock()
		}()
	}
	wg.Wait()
	l.elapsed += time.Since(start)
}

// load is one signed GET sent by userInfoClients goroutines at once.
type load struct {
	srv      *apitest.Server
	c        apitest.Client
	path     string
	client   *http.Client
	failures atomic.Int64
	took     []time.Duration // every request's
	elapsed  time.Duration   // wall time of the runs
}

func newLoad(srv *apitest.Server, c apitest.Client, path string) *load {
	return &load{srv: srv, c: c, path: path,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * userInfoClients}, Timeout: 30 * time.Second}}
}

func (l *load) close() { l.client.CloseIdleConnections() }

func (l *load) reset() { l.took, l.elapsed = nil, 0 }

func (l *load) send() time.Duration {
	req, _ := http.NewRequest("GET", l.srv.URL+l.path, nil)
	req.Header.Set("Authorization", l.c.Authorization(apitest.Request{Method: "GET", Path: l.path}, nil))
	start := time.Now()
	res, err := l.client.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	took := time.Since(start)
	if err != nil || res.StatusCode != http.StatusOK {
		l.failures.Add(1)
	}
	return took
}

// run sends n requests from userInfoClients goroutines.
func (l *load) run(n int) {
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range userInfoClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for next.Add(1) <= int64(n) {
				mine = append(mine, l.send())
			}
			mu.Lock()
			l.took = append(l.took, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	l.elapsed += time.Since(start)
}

func (l *load) rps() float64 { return float64(len(l.took)) / l.elapsed.Seconds() }

// percentile is the q-th percentile latency in milliseconds.
func (l *load) percentile(q int) float64 {
	all := slices.Clone(l.took)
	slices.Sort(all)
	return float64(all[min(len(all)-1, len(all)*q/100)].Microseconds()) / 1e3
}
