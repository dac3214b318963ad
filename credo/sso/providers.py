"""allauth's SAML provider, keeping also what the assertion says about how the person
authenticated (its AuthnContextClassRef), so a multifactor sign-in at the school's IdP can stand
for Credo's second step. Installed through SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]."""

from allauth.socialaccount.providers.saml.provider import SAMLProvider as AllauthSAMLProvider

AUTHN_CONTEXTS = "credo:authn_contexts"
NAME_ID = "credo:name_id"
NAME_ID_FORMAT = "credo:name_id_format"


class SAMLProvider(AllauthSAMLProvider):
    def extract_extra_data(self, data):
        extra = dict(data.get_attributes())
        extra[AUTHN_CONTEXTS] = list(data.get_last_authn_contexts() or [])
        extra[NAME_ID] = data.get_nameid() or ""
        extra[NAME_ID_FORMAT] = data.get_nameid_format() or ""
        return extra


provider_classes = [SAMLProvider]
