package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// TestCrashLeavesNoHalfCreatedUser builds the real binary, loads it with
// sign-ups and invitation acceptances (each making a user, and the second
// a membership too), kills it with SIGKILL while they are in flight,
// restarts it on the same data and checks that every one happened whole
// or not at all: a signed-up user exists if and only if their mail does,
// an invited one if and only if they are a member and the invitation is
// accepted; and every acknowledged one happened.
func TestCrashLeavesNoHalfCreatedUser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	bin := binary(t)
	t.Run("sqlite", func(t *testing.T) { identityCrashTest(t, bin, []string{"--data", t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) {
		u := storetest.PostgresURL(t) // skips without SAASPLANE_TEST_POSTGRES_URL
		identityCrashTest(t, bin, []string{"--database-url", u, "--auto-migrate"})
	})
}

const crashInvitations = 300

func identityCrashTest(t *testing.T, bin string, storeArgs []string) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	creds := crashCreds{saasID: "crash-id-" + hex.EncodeToString(b[:4]), apiKey: "sp_crash_" + hex.EncodeToString(b[4:10]), secret: hex.EncodeToString(b)}
	p := startCrashServer(t, bin, storeArgs, creds)
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * crashClients}
	defer tr.CloseIdleConnections()
	cc := &crashClient{base: p.base, c: creds, hc: &http.Client{Transport: tr, Timeout: 20 * time.Second}}

	// A member of a tenant, signed in on the hosted page, invites.
	const password = "Sup3r-secret"
	var owner, tenant struct {
		ID string `json:"id"`
	}
	cc.call(t, "POST", "/v1/auth/users", map[string]any{"email": "owner@example.com", "password": password}, 201, &owner)
	cc.call(t, "POST", "/v1/auth/tenants", map[string]any{"name": "Acme", "attributes": map[string]any{}, "back_office_staff_email": "ops@example.com"}, 201, &tenant)
	cc.call(t, "POST", "/v1/auth/tenants/"+tenant.ID+"/users", map[string]any{"email": "owner@example.com", "attributes": map[string]any{}}, 201, nil)
	cc.call(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"}, 200, nil)
	code := apitest.NewBrowser(t, p.base).SignIn(creds.saasID, "owner@example.com", password)
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	cc.call(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(code), nil, 200, &tokens)
	invitations := make([]string, crashInvitations)
	for i := range invitations {
		var inv struct {
			ID string `json:"id"`
		}
		cc.call(t, "POST", "/v1/auth/tenants/"+tenant.ID+"/invitations",
			map[string]any{"email": fmt.Sprintf("inv%d@example.com", i), "access_token": tokens.AccessToken, "envs": []any{}}, 201, &inv)
		invitations[i] = inv.ID
	}

	// Load until the kill: even clients sign up, odd ones accept.
	type attempt struct {
		email, invitation string
		acked             bool
	}
	var mu sync.Mutex
	var attempts []attempt
	var next, inFlight atomic.Int64
	killed := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range crashClients {
		wg.Go(func() {
			for ctx.Err() == nil {
				select {
				case <-killed:
					return
				default:
				}
				n := next.Add(1)
				a := attempt{email: fmt.Sprintf("signup%d@example.com", n)}
				path, body, want := "/v1/auth/sign-up", fmt.Sprintf(`{"email":%q}`, a.email), http.StatusCreated
				if i%2 == 1 {
					k := int(n) % crashInvitations
					a = attempt{email: fmt.Sprintf("inv%d@example.com", k), invitation: invitations[k]}
					path, body, want = "/v1/auth/invitations/"+a.invitation+"/validate", fmt.Sprintf(`{"email":%q,"password":%q}`, a.email, password), http.StatusOK
				}
				method := "POST"
				if a.invitation != "" {
					method = "PATCH"
				}
				inFlight.Add(1)
				status, _, err := cc.do(ctx, method, path, []byte(body))
				inFlight.Add(-1)
				a.acked = err == nil && status == want
				mu.Lock()
				attempts = append(attempts, a)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	time.Sleep(3 * time.Second) // each one hashes a password (argon2id, about 40 ms of a core)
	for i := 0; i < 1000 && inFlight.Load() == 0; i++ {
		time.Sleep(time.Millisecond)
	}
	if err := p.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	close(killed)
	<-p.exited
	wg.Wait()
	tr.CloseIdleConnections()

	p2 := startCrashServer(t, bin, storeArgs, creds)
	cc.base = p2.base
	var mails struct {
		Messages []struct {
			To, Purpose string
		} `json:"messages"`
	}
	cc.call(t, "GET", "/v1/mail/messages?limit=1000", nil, 200, &mails)
	mailed := map[string]bool{}
	for _, m := range mails.Messages {
		if m.Purpose == "temporary_password" {
			mailed[m.To] = true
		}
	}
	var members struct {
		Users []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	cc.call(t, "GET", "/v1/auth/tenants/"+tenant.ID+"/users", nil, 200, &members)
	member := map[string]bool{}
	for _, u := range members.Users {
		member[u.Email] = true
	}
	var signUps, accepts, acked int
	seen := map[string]bool{}
	for _, a := range attempts {
		if seen[a.email] {
			continue // an invitation tried twice: judged once
		}
		seen[a.email] = true
		status, _, err := cc.do(context.Background(), "GET", "/v1/auth/userinfo/search/email?email="+url.QueryEscape(a.email), nil)
		if err != nil || (status != 200 && status != 404) {
			t.Fatalf("userinfo of %s: %d %v", a.email, status, err)
		}
		exists := status == 200
		if a.acked {
			acked++
		}
		if a.acked && !exists {
			t.Errorf("acknowledged, but no user %s after the restart", a.email)
		}
		if a.invitation == "" {
			signUps++
			if exists != mailed[a.email] {
				t.Errorf("sign-up %s: user exists %v, mail exists %v: half a sign-up", a.email, exists, mailed[a.email])
			}
			continue
		}
		accepts++
		var v struct {
			IsValid bool `json:"is_valid"`
		}
		cc.call(t, "GET", "/v1/auth/invitations/"+a.invitation+"/validity", nil, 200, &v)
		if exists != member[a.email] || exists == v.IsValid {
			t.Errorf("acceptance by %s: user %v, member %v, invitation still valid %v: half an acceptance", a.email, exists, member[a.email], v.IsValid)
		}
	}
	t.Logf("%d sign-ups and %d acceptances tried, %d acknowledged before the kill", signUps, accepts, acked)
	if acked < 5 || acked == len(seen) {
		t.Fatalf("%d of %d acknowledged before the kill: too few to test anything, or none in flight\n%s", acked, len(seen), p.output())
	}
}
