// Package jobsapi serves /v1/background, saasplane's view of the background
// jobs done for the calling SaaS (webhook deliveries, marketplace usage
// reports, invoice runs: the jobs whose arguments name the SaaS), with a
// manual retry of one that failed. The jobs engine itself is behind the
// Jobs port, which internal/app adapts. Requests are checked against
// api/background.yaml before they get here.
package jobsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/background"

// Job is one background job.
type Job struct {
	ID          int64
	Kind        string
	State       string // River's: available, scheduled, running, retryable, completed, cancelled, discarded, pending
	Attempt     int
	MaxAttempts int
	Args        json.RawMessage // a JSON object
	CreatedAt   time.Time
	ScheduledAt time.Time
	FinalizedAt *time.Time
	LastError   string
}

// jobResp is a Job on the wire: times in Unix seconds.
type jobResp struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	State       string          `json:"state"`
	Attempt     int             `json:"attempt"`
	MaxAttempts int             `json:"max_attempts"`
	Args        json.RawMessage `json:"args"`
	CreatedAt   int64           `json:"created_at"`
	ScheduledAt int64           `json:"scheduled_at"`
	FinalizedAt *int64          `json:"finalized_at,omitempty"`
	LastError   string          `json:"last_error"`
}

func toResp(j Job) jobResp {
	out := jobResp{ID: j.ID, Kind: j.Kind, State: j.State, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts, Args: j.Args,
		CreatedAt: j.CreatedAt.Unix(), ScheduledAt: j.ScheduledAt.Unix(), LastError: j.LastError}
	if len(out.Args) == 0 {
		out.Args = json.RawMessage("{}")
	}
	if j.FinalizedAt != nil {
		t := j.FinalizedAt.Unix()
		out.FinalizedAt = &t
	}
	return out
}

// Filter selects a SaaS's jobs; empty fields select all.
type Filter struct {
	States, Kinds []string
	Limit         int
}

// Jobs is the port to the jobs engine: the jobs whose arguments name the
// SaaS, newest first. Retry answers errs.KindNotFound for a job that is
// not the SaaS's (or no longer kept).
type Jobs interface {
	List(ctx context.Context, saasID string, f Filter) ([]Job, error)
	Retry(ctx context.Context, saasID string, id int64) (Job, error)
}

// Handler serves the jobs routes.
type Handler struct{ jobs Jobs }

// New returns the handler over jobs.
func New(jobs Jobs) *Handler { return &Handler{jobs: jobs} }

// Register adds every route to rt.
func (h *Handler) Register(rt *httpx.Router) {
	rt.HandleFunc("GET "+Prefix+"/jobs", h.list)
	rt.HandleFunc("POST "+Prefix+"/jobs/{job_id}/retry", h.retry)
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{States: split(q.Get("state")), Kinds: split(q.Get("kind"))}
	if s := q.Get("limit"); s != "" {
		f.Limit, _ = strconv.Atoi(s) // the document bounds it to 1..1000
	}
	js, err := h.jobs.List(r.Context(), httpx.SaaSID(r.Context()), f)
	if err != nil {
		return err
	}
	out := make([]jobResp, len(js))
	for i, j := range js {
		out[i] = toResp(j)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"jobs": out})
	return nil
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (h *Handler) retry(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("job_id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.NotFound("no job has that id")
	}
	j, err := h.jobs.Retry(r.Context(), httpx.SaaSID(r.Context()), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toResp(j))
	return nil
}
