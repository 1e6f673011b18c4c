"""The register of processing activities (page, PDF, CSV), what the commune completes, and the DPIA drafts."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError
from confiance.core.exports import SafeWriter
from confiance.core.pdf import Document
from confiance.privacy.forms import CommunePrivacyForm
from confiance.privacy.selectors.dpia import dpia_draft, dpia_markdown
from confiance.privacy.selectors.register import (
    REGISTER_COLUMNS,
    commune_privacy,
    register_entries,
    register_rows,
)
from confiance.privacy.services.governance import SETTINGS_FIELDS, commune_privacy_update
from confiance.privacy.views.common import Refused, actor_of, commune_for, communes_of, refused

MANAGE = Permission.PRIVACY_MANAGE


@login_required
@require_GET
def home(request):
    actor = actor_of(request)
    communes = communes_of(actor, MANAGE)
    security = communes_of(actor, Permission.SECURITY_VIEW)
    if not communes and not security:
        return refused(request, Refused(403))
    return render(request, "privacy/home.html", {"communes": communes, "security_communes": security})


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    actor = actor_of(request)
    try:
        commune = commune_for(request, actor, MANAGE)
    except Refused as error:
        return refused(request, error)
    completions = commune_privacy(commune.pk)
    form = CommunePrivacyForm(request.POST or None, instance=completions)
    if request.method == "POST" and form.is_valid():
        try:
            commune_privacy_update(actor=actor, commune_id=commune.pk,
                                   **{name: form.cleaned_data[name] for name in SETTINGS_FIELDS})
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Informations de la commune enregistrées."))
            return redirect(f"{reverse('privacy:register')}?commune={commune.pk}")
    return render(request, "privacy/register.html", {
        "commune": commune, "communes": communes_of(actor, MANAGE), "entries": register_entries(),
        "completions": completions, "form": form})


def _commune_or_refuse(request):
    actor = actor_of(request)
    return actor, commune_for(request, actor, MANAGE)


@login_required
@require_GET
def register_csv(request):
    try:
        _actor, commune = _commune_or_refuse(request)
    except Refused as error:
        return refused(request, error)
    buffer = io.StringIO()
    writer = SafeWriter(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    completions = commune_privacy(commune.pk)
    writer.writerow(["Commune", commune.name, "Responsable", completions.controller, "DPO", completions.dpo_name,
                     completions.dpo_email])
    writer.writerow(REGISTER_COLUMNS)
    writer.writerows(register_rows(register_entries()))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registre-{commune.insee_code}.csv"'
    return response


@login_required
@require_GET
def register_pdf(request):
    try:
        _actor, commune = _commune_or_refuse(request)
    except Refused as error:
        return refused(request, error)
    completions = commune_privacy(commune.pk)
    document = Document(f"Registre des activités de traitement - {commune.name}",
                        restriction="Registre de l'article 30 du RGPD")
    document.add_page()
    document.field("Responsable", completions.controller or "(à compléter par la commune)")
    document.field("Adresse", completions.controller_address)
    document.field("DPO", " - ".join(filter(None, [completions.dpo_name, completions.dpo_email,
                                                    completions.dpo_phone])) or "(à compléter)")
    for row in register_rows(register_entries()):
        document.heading(row[0])
        for label, value in zip(REGISTER_COLUMNS[1:], row[1:], strict=True):
            document.field(label, value)
    response = HttpResponse(document.output_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="registre-{commune.insee_code}.pdf"'
    return response


def _draft(request, key: str):
    _actor, commune = _commune_or_refuse(request)
    entry = next((entry for entry in register_entries() if entry.processing.key == key), None)
    if entry is None:
        raise Http404
    return commune, dpia_draft(entry=entry, commune_id=commune.pk, commune_name=commune.name)


@login_required
@require_GET
def dpia(request, key: str):
    try:
        commune, draft = _draft(request, key)
    except Refused as error:
        return refused(request, error)
    return render(request, "privacy/dpia.html", {"commune": commune, "draft": draft})


@login_required
@require_GET
def dpia_download(request, key: str):
    try:
        commune, draft = _draft(request, key)
    except Refused as error:
        return refused(request, error)
    response = HttpResponse(dpia_markdown(draft), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aipd-{key.replace(".", "-")}-{commune.insee_code}.md"'
    return response
