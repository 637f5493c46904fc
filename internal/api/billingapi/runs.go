package billingapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/errs"
)

// Run is an invoice run on the wire.
type Run struct {
	RunID      string               `json:"run_id"`
	Period     string               `json:"period"`
	Trigger    string               `json:"trigger"`
	Status     string               `json:"status"`
	Tenants    int                  `json:"tenants"`
	Done       int                  `json:"done"`
	Finalized  int                  `json:"finalized"`
	Existing   int                  `json:"existing"`
	Skipped    int                  `json:"skipped"`
	Failed     int                  `json:"failed"`
	Failures   []billing.RunFailure `json:"failures"`
	CreatedAt  int64                `json:"created_at"`
	StartedAt  *int64               `json:"started_at,omitempty"`
	FinishedAt *int64               `json:"finished_at,omitempty"`
}

func unixOrNil(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

// RunToWire converts a run.
func RunToWire(r billing.Run) Run {
	if r.Failures == nil {
		r.Failures = []billing.RunFailure{} // an array on the wire, never null
	}
	return Run{RunID: r.ID, Period: r.Period, Trigger: r.Trigger, Status: string(r.Status), Tenants: r.Tenants, Done: r.Done(),
		Finalized: r.Finalized, Existing: r.Existing, Skipped: r.Skipped, Failed: r.Failed, Failures: r.Failures,
		CreatedAt: r.CreatedAt.Unix(), StartedAt: unixOrNil(r.StartedAt), FinishedAt: unixOrNil(r.FinishedAt)}
}

func (h *Handler) startRun(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Period string `json:"period"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	fe.Required("period", req.Period)
	if err := fe.Err(); err != nil {
		return err
	}
	run, created, err := h.svc.StartRun(r.Context(), httpx.SaaSID(r.Context()), req.Period, billing.TriggerManual)
	if err != nil {
		return err
	}
	status := http.StatusOK // joined the period's run already under way
	if created {
		status = http.StatusAccepted
	}
	httpx.WriteJSON(w, status, RunToWire(run))
	return nil
}

func (h *Handler) getRun(w http.ResponseWriter, r *http.Request) error {
	run, err := h.svc.GetRun(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("run_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, RunToWire(run))
	return nil
}

func (h *Handler) listRuns(w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > billing.MaxList {
			var fe errs.FieldErrors
			fe.Add("limit", "must be an integer from 1 to %d", billing.MaxList)
			return fe.Err()
		}
		limit = n
	}
	runs, err := h.svc.ListRuns(r.Context(), httpx.SaaSID(r.Context()), r.URL.Query().Get("period"), limit)
	if err != nil {
		return err
	}
	out := make([]Run, len(runs))
	for i, run := range runs {
		out[i] = RunToWire(run)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"runs": out})
	return nil
}
