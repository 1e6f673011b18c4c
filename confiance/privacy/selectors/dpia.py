"""A DPIA draft per processing (CNIL's PIA method): description, necessity and proportionality, risks, measures.

Pre-filled from the configuration: the declaration, the retention values of the engine, who holds which role in
the commune, and the cameras with their purposes when the camera registry exists (probed, so this works with or
without it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps

from confiance.privacy.processing import Processing
from confiance.privacy.selectors.register import RegisterEntry

# The CNIL's three feared events, with a starting estimate the DPO revises (likelihood, severity).
DEFAULT_RISKS = (
    ("Accès illégitime aux données", "Limitée", "Importante"),
    ("Modification non désirée des données", "Négligeable", "Importante"),
    ("Disparition des données", "Négligeable", "Limitée"),
)


@dataclass
class DpiaDraft:
    entry: RegisterEntry
    commune_name: str
    roles: list[tuple[str, int, list[str]]] = field(default_factory=list)  # role label, count, usernames
    cameras: list[tuple[str, str]] = field(default_factory=list)  # camera name, purposes
    risks: tuple[tuple[str, str, str], ...] = DEFAULT_RISKS

    @property
    def processing(self) -> Processing:
        return self.entry.processing


def _roles(commune_id: int) -> list[tuple[str, int, list[str]]]:
    from confiance.accounts.choices import Role
    from confiance.accounts.models import Membership

    memberships = (Membership.objects.filter(commune_id=commune_id, agent__is_active=True)
                   .values_list("role", "agent__username").order_by("role", "agent__username"))
    by_role: dict[str, list[str]] = {}
    for role, username in memberships:
        by_role.setdefault(role, []).append(username)
    return [(str(Role(role).label) if role in Role.values else role, len(names), names[:20])
            for role, names in by_role.items()]


def cameras_of(commune_id: int) -> list[tuple[str, str]]:
    """The commune's cameras and their purposes, when the camera registry is installed (None of it otherwise)."""
    try:
        camera_model = apps.get_model("devices", "Camera")
    except LookupError:
        return []
    try:
        cameras = list(camera_model.objects.filter(commune_id=commune_id).order_by("pk")[:500])
    except Exception:  # a registry of another shape than expected: the draft says nothing rather than fail
        return []
    rows = []
    for camera in cameras:
        purposes = getattr(camera, "purposes", "")
        if hasattr(purposes, "all"):
            purposes = ", ".join(str(item) for item in purposes.all())
        elif isinstance(purposes, list | tuple):
            purposes = ", ".join(str(item) for item in purposes)
        rows.append((str(getattr(camera, "name", camera)), str(purposes or "")))
    return rows


def dpia_draft(*, entry: RegisterEntry, commune_id: int, commune_name: str) -> DpiaDraft:
    is_video = "video" in entry.processing.key or "camera" in entry.processing.key
    return DpiaDraft(entry=entry, commune_name=commune_name, roles=_roles(commune_id),
                     cameras=cameras_of(commune_id) if is_video else [],
                     risks=entry.processing.dpia_risks or DEFAULT_RISKS)


def dpia_markdown(draft: DpiaDraft) -> str:
    """The draft as Markdown: an editable text the DPO finishes in any editor (or opens in LibreOffice)."""
    processing = draft.processing
    lines = [f"# Analyse d'impact (AIPD) — {processing.name}", "", f"Commune : {draft.commune_name}",
             "Projet pré-rempli par Confiance à partir de la configuration ; à compléter et valider par le DPO.", "",
             "## 1. Description du traitement", "", f"**Finalité** : {processing.purpose}", "",
             f"**Base légale** : {processing.legal_basis}", "",
             "**Textes** : " + " ; ".join(processing.legal_texts), "",
             "**Personnes concernées** : " + " ; ".join(processing.persons), "",
             "**Données** : " + " ; ".join(processing.data), "",
             "**Destinataires** : " + " ; ".join(processing.recipients), "",
             f"**Durées de conservation** : {draft.entry.retention_text}", ""]
    if draft.cameras:
        lines += ["**Caméras et finalités** :", ""] + [f"- {name} : {purposes or '(finalités à renseigner)'}"
                                                       for name, purposes in draft.cameras] + [""]
    lines += ["**Qui accède (rôles dans la commune)** :", ""]
    lines += [f"- {role} : {count} agent(s) ({', '.join(names)})" for role, count, names in draft.roles] or ["- aucun"]
    lines += ["", "## 2. Nécessité et proportionnalité", "",
              "- Finalité déterminée, explicite et légitime : voir ci-dessus ; à confirmer.",
              "- Minimisation : seules les données listées sont collectées (formulaires structurés).",
              "- Conservation limitée : les durées ci-dessus sont appliquées par `confiance retention run`.",
              "- Information des personnes : page de transparence publique de la commune.",
              "- Exercice des droits : registre des demandes, délai d'un mois.", "",
              "## 3. Risques", "", "| Risque | Vraisemblance | Gravité |", "|---|---|---|"]
    lines += [f"| {risk} | {likelihood} | {severity} |" for risk, likelihood, severity in draft.risks]
    lines += ["", "## 4. Mesures", ""] + [f"- {measure}" for measure in processing.security]
    lines += ["- Journal des consultations avec motif, conservé 3 ans, chaîné et vérifiable.",
              "- Revue des accès par le DPO (lectures anormales signalées).", ""]
    return "\n".join(lines)
