"""Login and second-factor forms."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form; a locked (account, address) pair gets the same answer whether the account exists."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Identifiant ou mot de passe incorrect."),
        "locked": _("Trop d'échecs pour cet identifiant depuis cet appareil : connexion verrouillée pendant "
                    "%(minutes)s minutes. Réessayez plus tard ou contactez votre administrateur."),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "confiance_login_locked", False):
                raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                            params={"minutes": settings.CONFIANCE_LOCKOUT_MINUTES}) from None
            raise


class OneTimeCodeForm(forms.Form):
    """The 6-digit code of an authenticator application."""

    code = forms.CharField(
        label=_("Code à 6 chiffres de votre application d'authentification"),
        min_length=6, max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "pattern": "[0-9]{6}", "autofocus": True}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("Le code ne contient que des chiffres."))
        return code


class EnrolmentLinkForm(forms.Form):
    """How long the enrolment link an administrator issues stays valid (bounded by the setting)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.CONFIANCE_2FA_ENROLMENT_LINK_HOURS
        self.fields["hours"] = forms.IntegerField(label=_("Validité du lien (heures)"), min_value=1,
                                                  max_value=limit, initial=min(24, limit))
