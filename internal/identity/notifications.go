package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
)

// Notification messages are the SaaS's templates of the mail its users
// get (upstream's notification messages). A template's subject and
// message may hold placeholders: {####} the code, temporary password or
// link the mail exists for (every message must hold it), {username} the
// user's email, and, saasplane's own, {service} the SaaS's name (or its
// page title), {tenant} the inviting tenant, {until} the end of the
// code's validity (UTC) and {link} the hosted sign-in page.

// Template is one mail's subject and message.
type Template struct {
	Subject string `json:"subject"`
	Message string `json:"message"`
}

// Templates are the notification messages by upstream's names.
type Templates map[string]Template

// The templates saasplane sends; the others are kept for GET.
const (
	TemplateSignUp        = "sign_up"               // POST /sign-up and its resend: the temporary password
	TemplateCreateUser    = "create_user"           // a temporary password: a new email user without one, an admin's reset
	TemplateForgot        = "forgot_password"       // the code of a forgotten password
	TemplateInvite        = "invite_tenant_user"    // an invitation: {####} is its URL
	TemplateVerifyAttr    = "verify_user_attribute" // a change of one's email: the code
	TemplateResendCode    = "resend_code"
	TemplateUpdateAttr    = "update_user_attribute"
	TemplateMFA           = "authentication_mfa"
	TemplateVerifyExtUser = "verify_external_user"
)

// TemplateNames are every template, in upstream's order.
var TemplateNames = []string{TemplateSignUp, TemplateCreateUser, TemplateResendCode, TemplateForgot, TemplateUpdateAttr,
	TemplateVerifyAttr, TemplateMFA, TemplateInvite, TemplateVerifyExtUser}

const tempPasswordText = "Hello,\n\n%s Sign in with this temporary password:\n\n    {####}\n\n" +
	"You will choose a password of your own when you sign in. The temporary one works until {until} (UTC).\n\n" +
	"Sign in: {link}\n\nIf you did not expect this mail, you can ignore it.\n"

const codeText = "Hello,\n\n%s, enter this code:\n\n    {####}\n\nThe code works until {until} (UTC). If you did not ask for this, you can ignore this mail.\n"

// DefaultTemplates are a SaaS's until it sets its own.
var DefaultTemplates = Templates{
	TemplateSignUp:     {"Your temporary password for {service}", fmt.Sprintf(tempPasswordText, "An account was made for you at {service}.")},
	TemplateCreateUser: {"Your temporary password for {service}", fmt.Sprintf(tempPasswordText, "A temporary password was made for your account at {service}.")},
	TemplateForgot:     {"Reset your password at {service}", fmt.Sprintf(codeText, "To choose a new password for your account at {service}")},
	TemplateInvite: {"You are invited to join {tenant} on {service}", "Hello,\n\nYou are invited to join {tenant} on {service}. Accept the invitation here:\n\n    {####}\n\n" +
		"The invitation is valid until {until} (UTC).\n\nIf you did not expect this mail, you can ignore it.\n"},
	TemplateVerifyAttr:    {"Confirm your new email for {service}", fmt.Sprintf(codeText, "To use this address for your account at {service}")},
	TemplateUpdateAttr:    {"Confirm your new email for {service}", fmt.Sprintf(codeText, "To use this address for your account at {service}")},
	TemplateResendCode:    {"Your code for {service}", fmt.Sprintf(codeText, "To confirm your account at {service}")},
	TemplateMFA:           {"Your sign-in code for {service}", fmt.Sprintf(codeText, "To sign in to {service}")},
	TemplateVerifyExtUser: {"Confirm your account at {service}", fmt.Sprintf(codeText, "To link your account at {service}")},
}

// Limits of templates.
const (
	MaxTemplateSubject = 200
	MaxTemplateMessage = 20_000
)

// Validate checks a full set of templates.
func (t Templates) Validate() error {
	var fe errs.FieldErrors
	for _, name := range TemplateNames {
		tpl, ok := t[name]
		switch {
		case !ok:
			fe.Add(name, "is required")
			continue
		case tpl.Subject == "" || len(tpl.Subject) > MaxTemplateSubject || strings.ContainsAny(tpl.Subject, "\r\n"):
			fe.Add(name+".subject", "must be one line of 1 to %d characters", MaxTemplateSubject)
		}
		fe.Text(name+".message", tpl.Message, MaxTemplateMessage, true)
		if !strings.Contains(tpl.Message, "{####}") {
			fe.Add(name+".message", "must hold {####}, where the code, password or link goes")
		}
	}
	return fe.Err()
}

// render fills a template's placeholders.
func (t Template) render(vars map[string]string) (subject, message string) {
	pairs := make([]string, 0, 2*len(vars))
	for k, v := range vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace(t.Subject), r.Replace(t.Message)
}

func decodeTemplates(raw string) (Templates, error) {
	out := Templates{}
	for k, v := range DefaultTemplates {
		out[k] = v
	}
	if raw == "" {
		return out, nil
	}
	var stored Templates
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return out, fmt.Errorf("stored notification messages: %w", err)
	}
	for k, v := range stored {
		out[k] = v
	}
	return out, nil
}

// TemplatesOf returns the SaaS's notification messages.
func (s *Service) TemplatesOf(ctx context.Context, saasID string) (Templates, error) {
	st, err := s.Settings(ctx, saasID)
	if err != nil {
		return nil, err
	}
	return decodeTemplates(st.Messages)
}

// SetTemplates replaces the SaaS's notification messages, all of them.
func (s *Service) SetTemplates(ctx context.Context, saasID string, t Templates) error {
	if err := t.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.updateSettings(ctx, saasID, func(st *Settings) { st.Messages = string(b) })
}

// queueTemplate mails the template name of the SaaS to one address, with
// vars and the placeholders every mail knows.
func (s *Service) queueTemplate(ctx context.Context, tx Tx, saasID, name, to, purpose string, vars map[string]string) error {
	service, err := tx.SaaSName(ctx, saasID)
	if err != nil {
		return err
	}
	st, err := tx.Settings(ctx, saasID)
	if err != nil {
		return err
	}
	if look, err := decodePageSettings(st.Pages); err == nil && look.Title != "" {
		service = look.Title
	}
	tpls, err := decodeTemplates(st.Messages)
	if err != nil {
		return err
	}
	all := map[string]string{"service": service, "username": to, "link": s.Issuer(saasID) + "/sign-in"}
	for k, v := range vars {
		all[k] = v
	}
	subject, text := tpls[name].render(all)
	return tx.QueueMail(ctx, s.message(saasID, st, to, purpose, subject, text))
}
