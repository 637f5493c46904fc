package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// Signing in through the API (POST /sign-in, POST /sign-in/challenge):
// Cognito's USER_SRP_AUTH, then the challenges that follow a right
// password. Rules in internal/identity/srpsignin.go.

const flowSRP = "USER_SRP_AUTH"

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow   *string           `json:"sign_in_flow"`
		Params map[string]string `json:"sign_in_parameters"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	switch {
	case req.Flow == nil:
		fe.Add("sign_in_flow", "is required: %s", flowSRP)
	case *req.Flow != flowSRP:
		fe.Add("sign_in_flow", "must be %s, the one flow upstream serves", flowSRP)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	c, err := h.identity.StartSRPSignIn(r.Context(), saasID(r), req.Params["USERNAME"], req.Params["SRP_A"])
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"challenge_name": identity.ChallengePasswordVerifier,
		"challenge_parameters": map[string]string{"SALT": c.Salt, "SRP_B": c.PublicB, "SECRET_BLOCK": c.SecretBlock,
			"USER_ID_FOR_SRP": c.UserIDForSRP, "USERNAME": c.Username},
		"session": c.Session,
	})
	return nil
}

func (h *Handler) answerSignInChallenge(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name      *string           `json:"challenge_name"`
		Responses map[string]string `json:"challenge_responses"`
		Session   string            `json:"session"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	if req.Name == nil {
		fe.Add("challenge_name", "is required")
		return fe.Err()
	}
	ctx, id, resp := r.Context(), saasID(r), req.Responses
	var res identity.SignInResult
	var err error
	switch *req.Name {
	case identity.ChallengePasswordVerifier:
		res, err = h.identity.AnswerSRP(ctx, id, identity.SRPProof{Session: req.Session, Username: resp["USERNAME"],
			SecretBlock: resp["PASSWORD_CLAIM_SECRET_BLOCK"], Signature: resp["PASSWORD_CLAIM_SIGNATURE"], Timestamp: resp["TIMESTAMP"]})
	case identity.ChallengeNewPassword:
		fe.Required("session", req.Session)
		fe.Required("challenge_responses.NEW_PASSWORD", resp["NEW_PASSWORD"])
		if err := fe.Err(); err != nil {
			return err
		}
		res, err = h.identity.CompleteNewPassword(ctx, id, req.Session, resp["NEW_PASSWORD"])
	case identity.ChallengeMFA:
		fe.Required("session", req.Session)
		fe.Required("challenge_responses.SOFTWARE_TOKEN_MFA_CODE", resp["SOFTWARE_TOKEN_MFA_CODE"])
		if err := fe.Err(); err != nil {
			return err
		}
		res.Tokens, err = h.identity.CompleteMFA(ctx, id, req.Session, resp["SOFTWARE_TOKEN_MFA_CODE"])
	case identity.ChallengeMFASetup:
		fe.Required("session", req.Session)
		fe.Required("challenge_responses.SOFTWARE_TOKEN_MFA_CODE", resp["SOFTWARE_TOKEN_MFA_CODE"])
		if err := fe.Err(); err != nil {
			return err
		}
		res.Tokens, err = h.identity.CompleteMFASetup(ctx, id, req.Session, resp["SOFTWARE_TOKEN_MFA_CODE"])
	default:
		fe.Add("challenge_name", "must be %s, %s, %s or %s: saasplane asks no other challenge", identity.ChallengePasswordVerifier,
			identity.ChallengeNewPassword, identity.ChallengeMFA, identity.ChallengeMFASetup)
		return fe.Err()
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, signInAnswer(res))
	return nil
}

// signInAnswer is a RespondToSignInChallengeResult: the credentials, or
// the next challenge with its session. A new-password challenge carries
// the parameters Cognito's clients read (the user's attributes, none
// required); an MFA setup the new app's secret (SECRET_CODE, base32, and
// its otpauth:// URL).
func signInAnswer(res identity.SignInResult) map[string]any {
	if res.Challenge == "" {
		t := res.Tokens
		return map[string]any{"credentials": credentialsResp{IDToken: t.IDToken, AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}}
	}
	params := map[string]string{"USER_ID_FOR_SRP": res.UserID}
	switch res.ChallengeName {
	case identity.ChallengeNewPassword:
		params["userAttributes"], params["requiredAttributes"] = "{}", "[]"
	case identity.ChallengeMFASetup:
		params["MFAS_CAN_SETUP"], params["SECRET_CODE"], params["OTPAUTH_URL"] = `["SOFTWARE_TOKEN_MFA"]`, res.Setup.Secret, res.Setup.URL
	}
	return map[string]any{"challenge_name": res.ChallengeName, "challenge_parameters": params, "session": res.Challenge}
}
