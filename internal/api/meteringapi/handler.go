// Package meteringapi serves the SaaSus metering count operations under
// /v1/pricing/metering/tenants/{tenant_id}/units: updates at a second or
// now, deletes, and day, month, all-meter and period reads. Handlers parse
// and convert; internal/metering applies and reads counts.
package meteringapi

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/metering"
)

// Prefix is where the counters live.
const Prefix = "/v1/pricing/metering/tenants/{tenant_id}/units"

// IdempotencyHeader makes a retried update apply once.
const IdempotencyHeader = "Idempotency-Key"

// maxIdempotencyKey bounds the header's length in characters (Unicode
// code points, so a key of multi-byte characters is not cut short); the
// key must be valid UTF-8.
const maxIdempotencyKey = 255

// Handler serves the metering count routes.
type Handler struct {
	svc *metering.Service
}

// New returns a Handler over svc.
func New(svc *metering.Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes to rt. GET .../units/{a}/{b} is one route:
// "units/date/{date}" and "units/{meter}/today" overlap (a meter may not be
// named date or month, so the first segment decides).
func (h *Handler) Register(rt *httpx.Router) {
	p := Prefix
	rt.HandleFunc("PUT "+p+"/{metering_unit_name}/timestamp/{timestamp}", h.updateAt)
	rt.HandleFunc("DELETE "+p+"/{metering_unit_name}/timestamp/{timestamp}", h.deleteAt)
	rt.HandleFunc("PUT "+p+"/{metering_unit_name}/now", h.updateNow)
	rt.HandleFunc("GET "+p+"/{metering_unit_name}/date/{date}", h.day)
	rt.HandleFunc("GET "+p+"/{metering_unit_name}/month/{month}", h.month)
	rt.HandleFunc("GET "+p+"/{first}/{second}", h.twoSegments)
}

func ids(r *http.Request) (saasID, tenantID string) {
	return httpx.SaaSID(r.Context()), r.PathValue("tenant_id")
}

type updateReq struct {
	Method *string `json:"method"`
	Count  *int64  `json:"count"`
}

// decodeUpdate reads {method, count} and the idempotency key.
func decodeUpdate(r *http.Request, u *metering.Update) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	var req updateReq
	if err := httpx.DecodeJSONBytes(body, &req); err != nil {
		return err
	}
	// Presence is the wire's business; values are checked by the service.
	var fe errs.FieldErrors
	if req.Method == nil {
		fe.Add("method", "is required")
	} else {
		u.Method = metering.Method(*req.Method)
	}
	if req.Count == nil {
		fe.Add("count", "is required")
	} else {
		u.Count = *req.Count
	}
	if key := r.Header.Get(IdempotencyHeader); key != "" {
		switch n := utf8.RuneCountInString(key); {
		case !utf8.ValidString(key):
			fe.Add(IdempotencyHeader+" header", "must be valid UTF-8")
		case n > maxIdempotencyKey:
			fe.Add(IdempotencyHeader+" header", "must be at most %d characters (it has %d)", maxIdempotencyKey, n)
		}
		sum := sha256.Sum256([]byte(r.Method + " " + r.URL.EscapedPath() + "\n" + string(body)))
		u.IdempotencyKey, u.RequestHash = key, hex.EncodeToString(sum[:])
	}
	return fe.Err()
}

func (h *Handler) updateAt(w http.ResponseWriter, r *http.Request) error {
	saasID, tenantID := ids(r)
	ts, err := metering.ParseSecond(r.PathValue("timestamp"))
	if err != nil {
		return err
	}
	u := metering.Update{SaaSID: saasID, TenantID: tenantID, MeterName: r.PathValue("metering_unit_name"), Timestamp: ts}
	if err := decodeUpdate(r, &u); err != nil {
		return err
	}
	return h.respondUpdate(w, r, u)
}

func (h *Handler) updateNow(w http.ResponseWriter, r *http.Request) error {
	saasID, tenantID := ids(r)
	u := metering.Update{SaaSID: saasID, TenantID: tenantID, MeterName: r.PathValue("metering_unit_name"), AtNow: true}
	if err := decodeUpdate(r, &u); err != nil {
		return err
	}
	return h.respondUpdate(w, r, u)
}

func (h *Handler) respondUpdate(w http.ResponseWriter, r *http.Request, u metering.Update) error {
	res, err := h.svc.Update(r.Context(), u)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *Handler) deleteAt(w http.ResponseWriter, r *http.Request) error {
	saasID, tenantID := ids(r)
	ts, err := metering.ParseSecond(r.PathValue("timestamp"))
	if err != nil {
		return err
	}
	if err := h.svc.Delete(r.Context(), saasID, tenantID, r.PathValue("metering_unit_name"), ts); err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

type dayResp struct {
	MeterName string `json:"metering_unit_name"`
	Date      string `json:"date"`
	Count     int64  `json:"count"`
}

type monthResp struct {
	MeterName string `json:"metering_unit_name"`
	Month     string `json:"month"`
	Count     int64  `json:"count"`
}

func (h *Handler) day(w http.ResponseWriter, r *http.Request) error {
	d, err := metering.ParseDate(r.PathValue("date"))
	if err != nil {
		return err
	}
	return h.writeDay(w, r, r.PathValue("metering_unit_name"), d)
}

func (h *Handler) writeDay(w http.ResponseWriter, r *http.Request, meter string, d metering.Date) error {
	saasID, tenantID := ids(r)
	c, err := h.svc.Day(r.Context(), saasID, tenantID, meter, d)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, dayResp{MeterName: c.MeterName, Date: string(c.Date), Count: c.Count})
	return nil
}

func (h *Handler) month(w http.ResponseWriter, r *http.Request) error {
	m, err := metering.ParseMonth(r.PathValue("month"))
	if err != nil {
		return err
	}
	return h.writeMonth(w, r, r.PathValue("metering_unit_name"), m)
}

func (h *Handler) writeMonth(w http.ResponseWriter, r *http.Request, meter string, m metering.Month) error {
	saasID, tenantID := ids(r)
	c, err := h.svc.Month(r.Context(), saasID, tenantID, meter, m)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, monthResp{MeterName: c.MeterName, Month: string(c.Month), Count: c.Count})
	return nil
}

// twoSegments serves GET .../units/{first}/{second}.
func (h *Handler) twoSegments(w http.ResponseWriter, r *http.Request) error {
	first, second := r.PathValue("first"), r.PathValue("second")
	switch {
	case first == "date":
		d, err := metering.ParseDate(second)
		if err != nil {
			return err
		}
		return h.dayAll(w, r, d)
	case first == "month":
		m, err := metering.ParseMonth(second)
		if err != nil {
			return err
		}
		return h.monthAll(w, r, m)
	case second == "today":
		return h.writeDay(w, r, first, "")
	case second == "thismonth":
		return h.writeMonth(w, r, first, "")
	case second == "date-period":
		return h.period(w, r, first)
	}
	return errs.NotFound("no route for GET %s", r.URL.Path)
}

func (h *Handler) dayAll(w http.ResponseWriter, r *http.Request, d metering.Date) error {
	saasID, tenantID := ids(r)
	cs, err := h.svc.DayAll(r.Context(), saasID, tenantID, d)
	if err != nil {
		return err
	}
	out := make([]dayResp, len(cs))
	for i, c := range cs {
		out[i] = dayResp{MeterName: c.MeterName, Date: string(c.Date), Count: c.Count}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"counts": out})
	return nil
}

func (h *Handler) monthAll(w http.ResponseWriter, r *http.Request, m metering.Month) error {
	saasID, tenantID := ids(r)
	cs, err := h.svc.MonthAll(r.Context(), saasID, tenantID, m)
	if err != nil {
		return err
	}
	out := make([]monthResp, len(cs))
	for i, c := range cs {
		out[i] = monthResp{MeterName: c.MeterName, Month: string(c.Month), Count: c.Count}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"counts": out})
	return nil
}

type entryResp struct {
	Timestamp int64 `json:"timestamp"`
	Count     int64 `json:"count"`
}

func (h *Handler) period(w http.ResponseWriter, r *http.Request, meter string) error {
	q := r.URL.Query()
	var fe errs.FieldErrors
	bound := func(name string) *int64 {
		s := q.Get(name)
		if s == "" {
			return nil
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			fe.Add("query parameter "+name, "must be a whole number of Unix seconds from 0")
			return nil
		}
		return &v
	}
	from, to := bound("start_timestamp"), bound("end_timestamp")
	if err := fe.Err(); err != nil {
		return err
	}
	saasID, tenantID := ids(r)
	name, entries, err := h.svc.Period(r.Context(), saasID, tenantID, meter, from, to)
	if err != nil {
		return err
	}
	out := make([]entryResp, len(entries))
	for i, e := range entries {
		out[i] = entryResp(e)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"metering_unit_name": name, "counts": out})
	return nil
}
