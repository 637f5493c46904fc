package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// The SaaS-wide settings of the user pool: /auth-info (the callback URL
// of the hosted sign-in) and /basic-info (domain and mail addresses).

func (h *Handler) getAuthInfo(w http.ResponseWriter, r *http.Request) error {
	st, err := h.identity.Settings(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"callback_url": st.CallbackURL})
	return nil
}

func (h *Handler) putAuthInfo(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		CallbackURL *string `json:"callback_url"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.CallbackURL == nil {
		var fe errs.FieldErrors
		fe.Add("callback_url", "is required")
		return fe.Err()
	}
	return empty(w, h.identity.SetCallbackURL(r.Context(), saasID(r), *req.CallbackURL))
}

type dnsRecordResp struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

type basicInfoResp struct {
	DomainName           string          `json:"domain_name"`
	IsDNSValidated       bool            `json:"is_dns_validated"`
	CertificateDNSRecord dnsRecordResp   `json:"certificate_dns_record"`
	CloudFrontDNSRecord  dnsRecordResp   `json:"cloud_front_dns_record"`
	DKIMDNSRecords       []dnsRecordResp `json:"dkim_dns_records"`
	DefaultDomainName    string          `json:"default_domain_name"`
	FromEmailAddress     string          `json:"from_email_address"`
	ReplyEmailAddress    string          `json:"reply_email_address"`
	IsSESSandboxGranted  bool            `json:"is_ses_sandbox_granted"`
}

// getBasicInfo answers the SaaS's domain and mail settings. saasplane
// runs no DNS, CDN or certificate of its own: the records are empty CNAME
// records, nothing waits for validation, and mail goes through the
// operator's SMTP server, which no SES sandbox limits.
func (h *Handler) getBasicInfo(w http.ResponseWriter, r *http.Request) error {
	st, err := h.identity.Settings(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	none := dnsRecordResp{Type: "CNAME"}
	httpx.WriteJSON(w, http.StatusOK, basicInfoResp{
		DomainName: st.DomainName, IsDNSValidated: true, CertificateDNSRecord: none, CloudFrontDNSRecord: none,
		DKIMDNSRecords: []dnsRecordResp{}, DefaultDomainName: h.identity.DefaultDomain(),
		FromEmailAddress: st.FromEmail, ReplyEmailAddress: st.ReplyEmail, IsSESSandboxGranted: true,
	})
	return nil
}

func (h *Handler) putBasicInfo(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		DomainName        *string `json:"domain_name"`
		FromEmailAddress  *string `json:"from_email_address"`
		ReplyEmailAddress string  `json:"reply_email_address"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	if req.DomainName == nil {
		fe.Add("domain_name", "is required")
	}
	if req.FromEmailAddress == nil {
		fe.Add("from_email_address", "is required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return empty(w, h.identity.SetBasicInfo(r.Context(), saasID(r),
		identity.Settings{DomainName: *req.DomainName, FromEmail: *req.FromEmailAddress, ReplyEmail: req.ReplyEmailAddress}))
}
