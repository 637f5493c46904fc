package identity

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // the image formats the pages take
	_ "image/jpeg"
	_ "image/png"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
)

// PageSettings are how a SaaS's hosted pages look: upstream's customize
// page settings and customize pages.
type PageSettings struct {
	Title              string `json:"title"`   // shown instead of the SaaS's name ("" for the name)
	Icon               string `json:"icon"`    // a data: URL of an image, or ""
	Favicon            string `json:"favicon"` // likewise
	TermsOfServiceURL  string `json:"terms_of_service_url"`
	PrivacyPolicyURL   string `json:"privacy_policy_url"`
	GoogleTagManagerID string `json:"google_tag_manager_container_id"` // kept, not run: the pages run no scripts
	// SignInIDHidden makes the sign-in page ask for an email only
	// (upstream's is_sign_in_id_enabled false).
	SignInIDHidden bool `json:"sign_in_id_hidden"`
	// Pages are the customize-pages texts and switches, by page:
	// "sign_up_page", "sign_in_page", "password_reset_page".
	Pages map[string]CustomPage `json:"pages"`
}

// CustomPage is one page's customization. HTMLContents is kept and
// answered, not shown: the pages show no outside HTML. The two switches
// show links to the terms of service and privacy policy.
type CustomPage struct {
	HTMLContents   string `json:"html_contents"`
	TermsOfService bool   `json:"is_terms_of_service"`
	PrivacyPolicy  bool   `json:"is_privacy_policy"`
}

// CustomPageNames are the pages that customize pages name.
var CustomPageNames = []string{"sign_up_page", "sign_in_page", "password_reset_page"}

// Limits of page settings.
const (
	MaxImageBytes     = 256 << 10
	MaxPageTitleLen   = 100
	MaxHTMLContentLen = 64 << 10
)

func decodePageSettings(raw string) (PageSettings, error) {
	var p PageSettings
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return p, fmt.Errorf("stored page settings: %w", err)
		}
	}
	if p.Pages == nil {
		p.Pages = map[string]CustomPage{}
	}
	return p, nil
}

// PageSettingsOf returns how the SaaS's pages look.
func (s *Service) PageSettingsOf(ctx context.Context, saasID string) (PageSettings, error) {
	st, err := s.Settings(ctx, saasID)
	if err != nil {
		return PageSettings{}, err
	}
	return decodePageSettings(st.Pages)
}

// PageLook is a change of the page settings: icon and favicon in base64
// ("" removes one), the rest as stored.
type PageLook struct {
	Title, IconBase64, FaviconBase64 string
	TermsOfServiceURL, PrivacyPolicy string
	GoogleTagManagerID               string
	SignInIDEnabled                  *bool // nil keeps the setting
}

// imageDataURL checks a base64 image (PNG, JPEG or GIF, read by Go's
// image decoders; no SVG, which can carry scripts) and returns it as a
// data: URL.
func imageDataURL(fe *errs.FieldErrors, field, b64 string) string {
	if b64 == "" {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		fe.Add(field, "must be an image in base64")
		return ""
	}
	if len(b) > MaxImageBytes {
		fe.Add(field, "must be at most %d KiB", MaxImageBytes>>10)
		return ""
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 || cfg.Width > 4096 || cfg.Height > 4096 {
		fe.Add(field, "must be a PNG, JPEG or GIF image of at most 4096 × 4096 pixels")
		return ""
	}
	return "data:image/" + format + ";base64," + b64
}

func checkPageURL(fe *errs.FieldErrors, field, v string) {
	if v == "" {
		return
	}
	ValidateCallbackURL(fe, field, v) // the same rules: absolute http(s), no user info or fragment
}

// SetPageLook replaces the page settings.
func (s *Service) SetPageLook(ctx context.Context, saasID string, in PageLook) error {
	var fe errs.FieldErrors
	fe.Text("title", in.Title, MaxPageTitleLen, false)
	icon := imageDataURL(&fe, "icon", in.IconBase64)
	favicon := imageDataURL(&fe, "favicon", in.FaviconBase64)
	checkPageURL(&fe, "terms_of_service_url", in.TermsOfServiceURL)
	checkPageURL(&fe, "privacy_policy_url", in.PrivacyPolicy)
	if len(in.GoogleTagManagerID) > 32 || strings.ContainsAny(in.GoogleTagManagerID, "<>\"' ") {
		fe.Add("google_tag_manager_container_id", "must be a container id like GTM-XXXX")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.updatePages(ctx, saasID, func(p *PageSettings) {
		p.Title, p.Icon, p.Favicon = in.Title, icon, favicon
		p.TermsOfServiceURL, p.PrivacyPolicyURL, p.GoogleTagManagerID = in.TermsOfServiceURL, in.PrivacyPolicy, in.GoogleTagManagerID
		if in.SignInIDEnabled != nil {
			p.SignInIDHidden = !*in.SignInIDEnabled
		}
	})
}

// SetCustomPages replaces the customization of the pages given.
func (s *Service) SetCustomPages(ctx context.Context, saasID string, pages map[string]CustomPage) error {
	var fe errs.FieldErrors
	for name, pg := range pages {
		if len(pg.HTMLContents) > MaxHTMLContentLen {
			fe.Add(name+".html_contents", "must be at most %d KiB", MaxHTMLContentLen>>10)
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.updatePages(ctx, saasID, func(p *PageSettings) {
		for name, pg := range pages {
			p.Pages[name] = pg
		}
	})
}

func (s *Service) updatePages(ctx context.Context, saasID string, change func(*PageSettings)) error {
	return s.updateSettings(ctx, saasID, func(st *Settings) {
		p, err := decodePageSettings(st.Pages)
		if err != nil {
			p = PageSettings{Pages: map[string]CustomPage{}} // unreadable settings are replaced
		}
		change(&p)
		b, _ := json.Marshal(p)
		st.Pages = string(b)
	})
}
