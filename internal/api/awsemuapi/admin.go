package awsemuapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
)

const adminPrefix = "/aws/marketplace/_emulator"

// adminRouter serves the emulator's admin API for the authenticated SaaS.
func (h *Handler) adminRouter() http.Handler {
	rt := httpx.NewRouter()
	rt.HandleFunc("POST "+adminPrefix+"/purchases", h.handleCreatePurchase)
	rt.HandleFunc("GET "+adminPrefix+"/purchases", h.handleListPurchases)
	rt.HandleFunc("PATCH "+adminPrefix+"/purchases/{customer_identifier}", h.handleUpdatePurchase)
	rt.HandleFunc("POST "+adminPrefix+"/purchases/{customer_identifier}/cancel", h.handleCancelPurchase)
	rt.HandleFunc("POST "+adminPrefix+"/purchases/{customer_identifier}/token", h.handleNewToken)
	rt.HandleFunc("GET "+adminPrefix+"/usage", h.handleListUsage)
	rt.HandleFunc("POST "+adminPrefix+"/products/{product_code}/dimensions", h.handleAddDimensions)
	rt.HandleFunc("POST "+adminPrefix+"/faults", h.handleAddFault)
	rt.HandleFunc("GET "+adminPrefix+"/faults", h.handleListFaults)
	rt.HandleFunc("DELETE "+adminPrefix+"/faults", h.handleClearFaults)
	rt.HandleFunc("PUT "+adminPrefix+"/notifications", h.handlePutNotifications)
	rt.HandleFunc("GET "+adminPrefix+"/notifications", h.handleGetNotifications)
	rt.HandleFunc("DELETE "+adminPrefix+"/notifications", h.handleDeleteNotifications)
	rt.HandleFunc("GET "+adminPrefix+"/notifications/messages", h.handleListSNSMessages)
	return rt
}

type purchaseJSON struct {
	CustomerIdentifier   string `json:"customer_identifier"`
	CustomerAWSAccountID string `json:"customer_aws_account_id"`
	LicenseArn           string `json:"license_arn"`
	ProductCode          string `json:"product_code"`
	Dimension            string `json:"dimension"`
	Quantity             int64  `json:"quantity"`
	Status               string `json:"status"`
	CreatedAt            string `json:"created_at"`
	UpdatedAt            string `json:"updated_at"`
	ExpirationDate       string `json:"expiration_date"`
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (h *Handler) toPurchaseJSON(p awsemu.Purchase) purchaseJSON {
	return purchaseJSON{CustomerIdentifier: p.CustomerIdentifier, CustomerAWSAccountID: p.CustomerAWSAccountID,
		LicenseArn: p.LicenseArn, ProductCode: p.ProductCode, Dimension: p.Dimension, Quantity: p.Quantity,
		Status: string(p.Status), CreatedAt: rfc3339(p.CreatedAt), UpdatedAt: rfc3339(p.UpdatedAt),
		ExpirationDate: rfc3339(p.ExpirationAt(h.svc.Now()))}
}

func (h *Handler) handleCreatePurchase(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ProductCode string `json:"product_code"`
		Dimension   string `json:"dimension"`
		Quantity    *int64 `json:"quantity"`
		Fail        bool   `json:"fail"` // a failed subscription: subscribe-fail, no entitlement
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	q := int64(1)
	if in.Quantity != nil {
		q = *in.Quantity
	}
	tok, c, err := h.svc.CreatePurchase(r.Context(), httpx.SaaSID(r.Context()),
		awsemu.PurchaseInput{ProductCode: in.ProductCode, Dimension: in.Dimension, Quantity: q, Fail: in.Fail})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, struct {
		purchaseJSON
		MarketplaceToken string `json:"marketplace_token"`
		TokenExpiresAt   string `json:"token_expires_at"`
	}{h.toPurchaseJSON(c.Purchase), tok.Token, rfc3339(tok.ExpiresAt)})
	return nil
}

func (h *Handler) handleListPurchases(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.ListPurchases(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := make([]purchaseJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, h.toPurchaseJSON(p))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"purchases": out})
	return nil
}

func (h *Handler) handleUpdatePurchase(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Dimension *string `json:"dimension"`
		Quantity  *int64  `json:"quantity"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := h.svc.UpdatePurchase(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("customer_identifier"),
		awsemu.PurchaseUpdate{Dimension: in.Dimension, Quantity: in.Quantity})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, h.toPurchaseJSON(c.Purchase))
	return nil
}

func (h *Handler) handleCancelPurchase(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.CancelPurchase(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("customer_identifier"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, h.toPurchaseJSON(c.Purchase))
	return nil
}

func (h *Handler) handleNewToken(w http.ResponseWriter, r *http.Request) error {
	tok, err := h.svc.NewToken(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("customer_identifier"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"marketplace_token": tok.Token,
		"token_expires_at": rfc3339(tok.ExpiresAt), "customer_identifier": tok.CustomerIdentifier})
	return nil
}

type usageJSON struct {
	MeteringRecordID     string `json:"metering_record_id,omitempty"`
	ProductCode          string `json:"product_code"`
	CustomerIdentifier   string `json:"customer_identifier"`
	CustomerAWSAccountID string `json:"customer_aws_account_id"`
	LicenseArn           string `json:"license_arn"`
	Dimension            string `json:"dimension"`
	Timestamp            string `json:"timestamp"`
	Hour                 string `json:"hour"`
	Quantity             int64  `json:"quantity"`
	Status               string `json:"status"`
	ReceivedAt           string `json:"received_at"`
}

func (h *Handler) handleListUsage(w http.ResponseWriter, r *http.Request) error {
	limit := 0
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return errs.Invalid("limit must be an integer from 1 to 1000")
		}
		limit = n
	}
	rs, err := h.svc.ListUsage(r.Context(), httpx.SaaSID(r.Context()), limit)
	if err != nil {
		return err
	}
	out := make([]usageJSON, 0, len(rs))
	for _, u := range rs {
		uj := usageJSON{ProductCode: u.ProductCode, CustomerIdentifier: u.CustomerIdentifier,
			CustomerAWSAccountID: u.CustomerAWSAccountID, LicenseArn: u.LicenseArn, Dimension: u.Dimension,
			Timestamp: u.Timestamp.UTC().Format(time.RFC3339Nano), Hour: rfc3339(u.Hour), Quantity: u.Quantity,
			Status: string(u.Status), ReceivedAt: u.ReceivedAt.UTC().Format(time.RFC3339Nano)}
		if u.Status == awsemu.UsageSuccess {
			uj.MeteringRecordID = u.MeteringRecordID
		}
		out = append(out, uj)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"usage_records": out})
	return nil
}

// handleAddDimensions declares usage dimensions of a product.
func (h *Handler) handleAddDimensions(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Dimensions []string `json:"dimensions"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.svc.AddDimensions(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("product_code"), in.Dimensions); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type faultJSON struct {
	Operation string `json:"operation"`
	Error     string `json:"error,omitempty"`
	DelayMS   int64  `json:"delay_ms,omitempty"`
	Count     int    `json:"count"`
}

func faultsJSON(fs []awsemu.Fault) map[string]any {
	out := make([]faultJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, faultJSON{Operation: f.Operation, Error: f.Error, DelayMS: f.Delay.Milliseconds(), Count: f.Count})
	}
	return map[string]any{"faults": out}
}

func (h *Handler) handleAddFault(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Operation string `json:"operation"`
		Error     string `json:"error"`
		DelayMS   int64  `json:"delay_ms"`
		Count     *int   `json:"count"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	f := awsemu.Fault{Operation: in.Operation, Error: in.Error, Delay: time.Duration(in.DelayMS) * time.Millisecond, Count: 1}
	if f.Operation == "" {
		f.Operation = awsemu.OperationAny
	}
	if in.Count != nil {
		f.Count = *in.Count
	}
	saasID := httpx.SaaSID(r.Context())
	if err := h.svc.AddFault(r.Context(), saasID, f); err != nil {
		return err
	}
	return h.writeFaults(w, r, http.StatusCreated, saasID)
}

func (h *Handler) handleListFaults(w http.ResponseWriter, r *http.Request) error {
	return h.writeFaults(w, r, http.StatusOK, httpx.SaaSID(r.Context()))
}

// writeFaults answers the SaaS's pending faults.
func (h *Handler) writeFaults(w http.ResponseWriter, r *http.Request, status int, saasID string) error {
	fs, err := h.svc.Faults(r.Context(), saasID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, status, faultsJSON(fs))
	return nil
}

func (h *Handler) handleClearFaults(w http.ResponseWriter, r *http.Request) error {
	saasID := httpx.SaaSID(r.Context())
	if err := h.svc.ClearFaults(r.Context(), saasID); err != nil {
		return err
	}
	return h.writeFaults(w, r, http.StatusOK, saasID)
}
