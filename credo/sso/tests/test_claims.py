"""What an identity provider said, read the same way for both protocols (pure)."""

from credo.sso import claims
from credo.sso.providers import AUTHN_CONTEXTS, NAME_ID, NAME_ID_FORMAT


def test_oidc_verified_email_and_mfa():
    a = claims.from_oidc(
        {
            "userinfo": {"email": "Ava@Hill.test", "email_verified": True},
            "id_token": {"amr": ["pwd", "mfa"]},
        }
    )
    assert a.email == "ava@hill.test" and a.multifactor


def test_oidc_unverified_email_is_not_used():
    a = claims.from_oidc({"id_token": {"email": "ava@hill.test", "email_verified": False}})
    assert a.email == "" and "not say the address is verified" in a.why_no_email


def test_entra_domain_owner_verified_claim_counts_only_for_entra():
    token = {"id_token": {"email": "ava@hill.test", "xms_edov": True}}
    assert claims.from_oidc(token, entra=True).email == "ava@hill.test"
    assert claims.from_oidc(token).email == ""


def test_acr_multifactor_and_password_only():
    multi = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
    assert claims.from_oidc({"id_token": {"acr": multi}}).multifactor
    assert not claims.from_oidc({"id_token": {"acr": "1", "amr": ["pwd"]}}).multifactor
    assert not claims.from_oidc({"id_token": {"amr": "mfa"}}).multifactor  # not a list


def test_sourced_id_claim_read_only_when_configured():
    data = {"userinfo": {"sourcedId": "usr-1"}}
    assert claims.from_oidc(data).sourced_id == ""
    assert claims.from_oidc(data, sourced_id_claim="sourcedId").sourced_id == "usr-1"


def test_saml_email_from_attribute_or_email_name_id_and_mfa_context():
    a = claims.from_saml(
        {
            "urn:oid:0.9.2342.19200300.100.1.3": ["Ava@hill.test"],
            AUTHN_CONTEXTS: ["https://refeds.org/profile/mfa"],
        }
    )
    assert a.email == "ava@hill.test" and a.multifactor
    b = claims.from_saml(
        {NAME_ID: "tom@hill.test", NAME_ID_FORMAT: claims.EMAIL_NAME_ID, AUTHN_CONTEXTS: []}
    )
    assert b.email == "tom@hill.test" and not b.multifactor
    c = claims.from_saml({NAME_ID: "opaque-123", NAME_ID_FORMAT: "persistent"})
    assert c.email == ""
