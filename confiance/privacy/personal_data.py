"""Which models hold personal data, judged from their fields, so a test can demand a declaration for each.

A model holds personal data when one of its fields is an e-mail, a phone, a first or last name, a birth date, a
person's address text, an IP address, a device identifier, a contact, or a reference to an agent (a user FK).
Models judged non-personal in spite of such a field are listed in NOT_PERSONAL with the reason; a model whose
only personal field is a reference to the agent who acted is covered by the processing that declares
`covers_agent_traces` (the agents' accounts and their traceability).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models

# Field names that say "a person" (matched on word parts of the field name).
_PERSONAL_NAME = re.compile(
    r"(^|_)(e?mail|courriel|phone|telephone|mobile|sms|first_name|last_name|firstname|lastname|surname|"
    r"given_name|family_name|birth|birthday|naissance|ip|ip_address|device_id|contact|requester|reporter|"
    r"caller|resident|holder|subscriber|recipient|owner_name|person|referent|volunteer|name_of)(_|$)")
_ADDRESS_NAME = re.compile(r"(^|_)(address|adresse|home|domicile)(_|$)")
_IMAGE_NAME = re.compile(r"(^|_)(photo|image|picture|snapshot|video|content|clip)(_|$)")

# Judged non-personal, with the reason (model label -> why). A new model with a personal-looking field must be
# declared by its app, or be listed here with a reason a reviewer accepts.
NOT_PERSONAL: dict[str, str] = {
    "reports.Destination": "adresse électronique d'un service municipal, pas d'une personne",
    "reports.ClientApplication": "application cliente Open311 (un logiciel, pas une personne)",
    "addresses.Address": "Base adresse nationale : adresses publiques sans lien avec un habitant",
    "addresses.Street": "voies publiques de la Base adresse nationale",
    "core.OutboxEvent": "événements en direct éphémères, conservés quelques heures (privacy.retention core.outbox)",
    "admin.LogEntry": "journal de l'administration de Django, doublé par le journal d'audit (admin.*)",
    "sessions.Session": "sessions de connexion, purgées à l'expiration par Django",
    "auth.Group": "groupes de permissions de Django (non utilisés par les rôles)",
    "devices.Device": "adresse d'implantation d'un capteur sur la voie publique, pas d'une personne",
    "django_tasks_db.DBTaskResult": "file des tâches de fond : arguments techniques, sans donnée de personne",
    "devices.VideoProtectionNotice": "coordonnées publiées du responsable de traitement et du DPO de la commune "
                                     "(une fonction, affichée sur les panneaux), pas d'un particulier",
    "prevention.OtvRules": "texte de contact du service de police municipale pour l'OTV, publié sur le formulaire",
}

# Apps of the framework and libraries judged as a whole: their personal data (if any) is covered elsewhere.
_FRAMEWORK_APPS = {"contenttypes", "auth", "admin", "sessions", "staticfiles", "messages", "django_tasks_db",
                   "otp_totp", "otp_static", "django_otp"}


@dataclass(frozen=True)
class PersonalModel:
    label: str  # "app_label.Model"
    fields: tuple[str, ...]  # the fields that make it personal
    agent_traces_only: bool  # its only personal fields are references to agents


def _is_agent_reference(field: models.Field) -> bool:
    if not field.is_relation or not getattr(field, "related_model", None):
        return False
    related = field.related_model
    return related is not None and related._meta.label == settings.AUTH_USER_MODEL


def personal_fields(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """(fields naming a person's data, fields referencing an agent) of a model."""
    personal, agents = [], []
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue
        name = field.name.lower()
        if _is_agent_reference(field):
            agents.append(field.name)
        elif isinstance(field, models.EmailField | models.GenericIPAddressField) or (
                isinstance(field, models.CharField | models.TextField | models.DateField)
                and (_PERSONAL_NAME.search(name) or _ADDRESS_NAME.search(name))):
            personal.append(field.name)
        elif isinstance(field, models.BinaryField | models.FileField) and _IMAGE_NAME.search(name):
            personal.append(field.name)  # an image can show a person or a plate
    return personal, agents


def personal_models() -> list[PersonalModel]:
    """Every installed model holding personal data by the heuristic, minus the reasoned exceptions."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in _FRAMEWORK_APPS or meta.label in NOT_PERSONAL or meta.proxy:
            continue
        personal, agents = personal_fields(model)
        is_agent_model = meta.label == settings.AUTH_USER_MODEL
        if personal or agents or is_agent_model:
            found.append(PersonalModel(meta.label, tuple(personal + agents),
                                       agent_traces_only=not personal and not is_agent_model))
    return sorted(found, key=lambda item: item.label)
