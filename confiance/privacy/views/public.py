"""The public transparency page of a commune, and the DPO's page where the commune adopts its ethics charter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError
from confiance.privacy.forms import CharterForm
from confiance.privacy.models import CharterVersion
from confiance.privacy.selectors.dpia import cameras_of
from confiance.privacy.selectors.register import commune_privacy, register_entries
from confiance.privacy.services.governance import charter_adopt
from confiance.privacy.views.common import Refused, actor_of, commune_for, refused
from confiance.territory.models import Commune

# The analyses the platform runs, said for the public: all aggregates, never a person.
ANALYSES = (
    gettext_lazy("Points chauds : nombre de faits par maille de quartier, sans aucune personne."),
    gettext_lazy("Tendances et prévisions : nombres de faits par semaine et par catégorie."),
    gettext_lazy("Délais de traitement des signalements et des interventions (médianes)."),
    gettext_lazy("Données ouvertes : agrégats seulement, les petits effectifs sont masqués."),
)


def _camera_page(commune: Commune) -> str:
    """The public camera page, when the camera registry publishes one (a URL name of another branch)."""
    for name, kwargs in (("devices:public-cameras", {"insee_code": commune.insee_code}),
                         ("devices:cameras-public", {"insee_code": commune.insee_code}),
                         ("devices:public-cameras", {})):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


@require_GET
def transparency(request, insee_code: str):
    commune = Commune.objects.filter(insee_code=insee_code[:5]).first()
    if commune is None:
        raise Http404
    charter = CharterVersion.objects.filter(commune=commune).order_by("-number").first()
    return render(request, "privacy/transparency.html", {
        "commune": commune, "charter": charter, "entries": register_entries(),
        "completions": commune_privacy(commune.pk), "camera_count": len(cameras_of(commune.pk)),
        "camera_page": _camera_page(commune), "analyses": ANALYSES})


@login_required
@require_http_methods(["GET", "POST"])
def charter(request):
    actor = actor_of(request)
    try:
        commune = commune_for(request, actor, Permission.PRIVACY_MANAGE)
    except Refused as error:
        return refused(request, error)
    versions = list(CharterVersion.objects.filter(commune=commune).order_by("-number")[:50])
    form = CharterForm(request.POST or None, initial={"text": versions[0].text if versions else ""})
    if request.method == "POST" and form.is_valid():
        try:
            charter_adopt(actor=actor, commune_id=commune.pk, text=form.cleaned_data["text"],
                          adopted_on=form.cleaned_data["adopted_on"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Nouvelle version de la charte enregistrée."))
            return redirect(f"{reverse('privacy:charter')}?commune={commune.pk}")
    return render(request, "privacy/charter.html", {"commune": commune, "form": form, "versions": versions})
