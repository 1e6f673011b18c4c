"""The DPO's access review (filters, flags, chain verification, CSV/PDF export) and the retention dashboard."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from confiance.accounts.choices import Permission
from confiance.core.exports import SafeWriter
from confiance.core.pdf import Document
from confiance.privacy.forms import AccessFilterForm
from confiance.privacy.journal import chain_of_commune
from confiance.privacy.journal_verify import verify_one_chain
from confiance.privacy.selectors.access_review import (
    AccessFilters,
    access_review,
    reader_choices,
    target_type_choices,
    target_type_label,
)
from confiance.privacy.selectors.retention import legal_holds, retention_dashboard
from confiance.privacy.views.common import Refused, actor_of, commune_for, communes_of, refused

MANAGE = Permission.PRIVACY_MANAGE
PAGE_ROWS = 300


def _review(request):
    actor = actor_of(request)
    commune = commune_for(request, actor, MANAGE)
    ids = (commune.pk,)
    form = AccessFilterForm(request.GET or None, agents=reader_choices(ids), target_types=target_type_choices(ids),
                            type_label=target_type_label)
    data = form.cleaned_data if form.is_valid() else {}
    filters = AccessFilters(commune_ids=ids, agent_id=data.get("agent"), target_type=data.get("target_type", ""),
                            motive=data.get("motive", ""), start=data.get("start"), end=data.get("end"))
    return actor, commune, form, access_review(filters)


@login_required
@require_GET
def access_review_page(request):
    try:
        actor, commune, form, review = _review(request)
    except Refused as error:
        return refused(request, error)
    chain = verify_one_chain(chain_of_commune(commune.pk))
    flagged_only = request.GET.get("signalees") == "1"
    rows = [row for row in review.rows if row.flags or not flagged_only][:PAGE_ROWS]
    return render(request, "privacy/access_review.html", {
        "commune": commune, "communes": communes_of(actor, MANAGE), "form": form, "review": review,
        "rows": [(row, target_type_label(row.entry.target_type)) for row in rows], "chain": chain,
        "query": request.GET.urlencode(), "flagged_only": flagged_only,
        "flag_counts": sorted(review.counts.items())})


def _export_rows(review):
    for row in review.rows:
        entry = row.entry
        yield [timezone.localtime(entry.created_at).strftime("%d/%m/%Y %H:%M"), entry.actor_label,
               target_type_label(entry.target_type), entry.target_id, entry.motive, " ; ".join(row.flags),
               f"{entry.chain}.{entry.sequence}"]


EXPORT_HEADERS = ["Date", "Agent", "Fiche", "Identifiant", "Motif", "Signalements", "Entrée du journal"]


@login_required
@require_GET
def access_review_csv(request):
    try:
        _actor, commune, _form, review = _review(request)
    except Refused as error:
        return refused(request, error)
    buffer = io.StringIO()
    writer = SafeWriter(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(EXPORT_HEADERS)
    writer.writerows(_export_rows(review))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consultations-{commune.insee_code}.csv"'
    return response


@login_required
@require_GET
def access_review_pdf(request):
    try:
        _actor, commune, _form, review = _review(request)
    except Refused as error:
        return refused(request, error)
    chain = verify_one_chain(chain_of_commune(commune.pk))
    document = Document(f"Journal des consultations - {commune.name}", orientation="L")
    document.add_page()
    document.field("Intégrité de la chaîne", "intègre" if chain.ok else
                   f"rompue à l'entrée n° {chain.first_broken_sequence} : {chain.reason}")
    document.grid(EXPORT_HEADERS, list(_export_rows(review)), [28, 35, 35, 22, 70, 60, 22])
    response = HttpResponse(document.output_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="consultations-{commune.insee_code}.pdf"'
    return response


@login_required
@require_GET
def retention(request):
    actor = actor_of(request)
    if not actor.can_anywhere(MANAGE) and not actor.can_anywhere(Permission.SECURITY_VIEW):
        return refused(request, Refused(403))
    rules, last, runs = retention_dashboard()
    return render(request, "privacy/retention.html", {"rules": rules, "last": last, "runs": runs,
                                                      "holds": legal_holds()})
