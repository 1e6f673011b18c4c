from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from confiance.privacy.choices import AUDIT_VIEW_PERMISSION
from confiance.territory.choices import (
    CRISIS_DECLARE_PERMISSION,
    CRISIS_VIEW_PERMISSION,
    LIVE_VIEW_PERMISSION,
    TERRITORY_MANAGE_PERMISSION,
    TERRITORY_VIEW_PERMISSION,
)


class Role(models.TextChoices):
    """What an agent does in a commune; a membership gives one role in one commune."""

    POLICE_AGENT = "police_agent", _("Agent de police municipale")
    CSU_OPERATOR = "csu_operator", _("Opérateur CSU")
    SHIFT_SUPERVISOR = "shift_supervisor", _("Chef de poste")
    TECHNICAL_AGENT = "technical_agent", _("Agent des services techniques")
    ELECTED_OFFICIAL = "elected_official", _("Élu")
    DPO = "dpo", _("Délégué à la protection des données")
    RSSI = "rssi", _("Responsable de la sécurité des systèmes d'information")
    ADMINISTRATOR = "administrator", _("Administrateur")


class Permission(StrEnum):
    """What a role allows in a commune. API tokens are scoped to a subset of these."""

    TERRITORY_VIEW = TERRITORY_VIEW_PERMISSION
    TERRITORY_MANAGE = TERRITORY_MANAGE_PERMISSION
    LIVE_VIEW = LIVE_VIEW_PERMISSION
    AUDIT_VIEW = AUDIT_VIEW_PERMISSION
    ACCOUNTS_MANAGE = "accounts.manage"
    REPORTS_VIEW = "reports.view"
    REPORTS_HANDLE = "reports.handle"
    REPORTS_MANAGE = "reports.manage"
    OPERATIONS_VIEW = "operations.view"
    OPERATIONS_LOG = "operations.log"
    OPERATIONS_FIELD = "operations.field"
    OPERATIONS_DISPATCH = "operations.dispatch"
    OPERATIONS_SIGN = "operations.sign"  # the chef de poste's visa of a day's main courante
    OPERATIONS_MANAGE = "operations.manage"
    CRISIS_VIEW = CRISIS_VIEW_PERMISSION  # the crisis page: its log and checklist (no police file)
    CRISIS_DECLARE = CRISIS_DECLARE_PERMISSION  # declare, widen, end a crisis
    ANALYTICS_VIEW = "analytics.view"
    DEVICES_VIEW = "devices.view"
    DEVICES_HANDLE = "devices.handle"
    DEVICES_MANAGE = "devices.manage"
    DEVICES_HEALTH = "devices.health"
    CAMERAS_VIEW = "cameras.view"  # the camera registry (no stream link: that needs an individual authorisation)
    CAMERAS_MANAGE = "cameras.manage"  # cameras, authorisations, masks, individual authorisations
    CAMERAS_EXTRACT = "cameras.extract"  # the register of extractions for judicial requisitions
    VIDEO_REVIEW = "video.review"  # the operator review queue of video-analytics detections
    ALERTS_VIEW = "alerts.view"
    ALERTS_DRAFT = "alerts.draft"
    ALERTS_APPROVE = "alerts.approve"  # never one's own draft
    PREVENTION_VIEW = "prevention.view"  # OTV homes and passages, observations of the referents: police only
    PREVENTION_MANAGE = "prevention.manage"  # Participation citoyenne protocol, referents, prevention messages
    RESERVE_MANAGE = "reserve.manage"  # réserve communale: volunteers, missions, mobilisation
    PRIVACY_MANAGE = "privacy.manage"  # the DPO: registers, DPIA, rights requests, access review, breaches
    SECURITY_VIEW = "security.view"  # the RSSI: failed logins, tokens, 2FA, inactive accounts, admin actions


# Roles whose holders must pass TOTP two-factor authentication.
SECOND_FACTOR_ROLES = frozenset({Role.SHIFT_SUPERVISOR, Role.DPO, Role.RSSI, Role.ADMINISTRATOR})

_EVERY_AGENT = {Permission.TERRITORY_VIEW, Permission.LIVE_VIEW, Permission.REPORTS_VIEW}
_HANDLERS = _EVERY_AGENT | {Permission.REPORTS_HANDLE}
# Police files are for the police municipale and the supervision centre only (LEGAL.md).
_POLICE = {Permission.OPERATIONS_VIEW, Permission.OPERATIONS_LOG}
# Analyses are aggregates (grids, tables, curves): for the police, the supervision centre and the élus.
_ANALYSTS = {Permission.ANALYTICS_VIEW}
# Sensor values and alarms are not personal data: every agent of the commune may see them; the supervision centre
# handles the alarms; the chef de poste and the RSSI watch the devices themselves.
_SENSORS = {Permission.DEVICES_VIEW}
_SUPERVISION = _SENSORS | {Permission.DEVICES_HANDLE}
# Cameras: the registry is for the police and the supervision centre; a stream link needs an individual authorisation.
_VIDEO = {Permission.CAMERAS_VIEW, Permission.VIDEO_REVIEW}
_ALERTS = {Permission.ALERTS_VIEW, Permission.ALERTS_DRAFT}
# Crisis mode: its log and checklist hold no personal data beyond agents' names; the chef de poste and the élu declare.
_CRISIS = {Permission.CRISIS_VIEW}
_CRISIS_LEAD = _CRISIS | {Permission.CRISIS_DECLARE}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.POLICE_AGENT: frozenset(_HANDLERS | _POLICE | _ANALYSTS | _SENSORS | _CRISIS | {
        Permission.OPERATIONS_FIELD, Permission.CAMERAS_VIEW, Permission.ALERTS_VIEW, Permission.PREVENTION_VIEW}),
    Role.CSU_OPERATOR: frozenset(_HANDLERS | _POLICE | _ANALYSTS | _SUPERVISION | _VIDEO | _ALERTS | _CRISIS | {
        Permission.OPERATIONS_DISPATCH, Permission.PREVENTION_VIEW}),
    Role.SHIFT_SUPERVISOR: frozenset(
        _HANDLERS | _POLICE | _ANALYSTS | _SUPERVISION | _VIDEO | _ALERTS | _CRISIS_LEAD | {
        Permission.TERRITORY_MANAGE, Permission.REPORTS_MANAGE, Permission.OPERATIONS_DISPATCH,
        Permission.OPERATIONS_FIELD, Permission.OPERATIONS_MANAGE, Permission.DEVICES_MANAGE,
        Permission.DEVICES_HEALTH, Permission.OPERATIONS_SIGN, Permission.CAMERAS_MANAGE,
        Permission.CAMERAS_EXTRACT, Permission.ALERTS_APPROVE,
        Permission.PREVENTION_VIEW, Permission.PREVENTION_MANAGE, Permission.RESERVE_MANAGE}),
    Role.TECHNICAL_AGENT: frozenset(_HANDLERS | _SENSORS | _CRISIS),
    # The élu sees aggregates, approves an alert, names the referents; never the OTV homes.
    # The élu declares and follows a crisis (log, checklist, alarms) but sees no intervention or unit: police files.
    Role.ELECTED_OFFICIAL: frozenset(_EVERY_AGENT | _ANALYSTS | _SENSORS | _CRISIS_LEAD | {
        Permission.ALERTS_VIEW, Permission.ALERTS_APPROVE, Permission.PREVENTION_MANAGE,
        Permission.RESERVE_MANAGE}),
    Role.DPO: frozenset(_EVERY_AGENT | {Permission.AUDIT_VIEW, Permission.PRIVACY_MANAGE, Permission.CAMERAS_VIEW}),
    Role.RSSI: frozenset(_EVERY_AGENT | _SENSORS | {Permission.DEVICES_HEALTH, Permission.SECURITY_VIEW}),
    Role.ADMINISTRATOR: frozenset(set(Permission)),
}


class SecurityEventKind(models.TextChoices):
    """Failed authentications the RSSI reviews (accounts.SecurityEvent), counted per account, address and hour."""

    LOGIN_PASSWORD = "login_password", _("Mot de passe erroné")
    LOGIN_UNKNOWN = "login_unknown", _("Identifiant inconnu")
    LOGIN_LOCKED = "login_locked", _("Tentative depuis un accès verrouillé")
    LOGIN_INACTIVE = "login_inactive", _("Compte désactivé")
    SECOND_FACTOR = "second_factor", _("Code de double authentification erroné ou absent")
    LOCKOUT = "lockout", _("Verrouillage (compte et adresse)")
    TOKEN_UNKNOWN = "token_unknown", _("Jeton d'API inconnu ou mal formé")
    TOKEN_EXPIRED = "token_expired", _("Jeton d'API expiré")
    TOKEN_REVOKED = "token_revoked", _("Jeton d'API révoqué")
    TOKEN_AGENT_INACTIVE = "token_agent_inactive", _("Jeton d'un compte désactivé")


LOGIN_FAILURE_KINDS = frozenset({SecurityEventKind.LOGIN_PASSWORD, SecurityEventKind.LOGIN_UNKNOWN,
                                 SecurityEventKind.LOGIN_LOCKED, SecurityEventKind.LOGIN_INACTIVE,
                                 SecurityEventKind.SECOND_FACTOR})
TOKEN_FAILURE_KINDS = frozenset({SecurityEventKind.TOKEN_UNKNOWN, SecurityEventKind.TOKEN_EXPIRED,
                                 SecurityEventKind.TOKEN_REVOKED, SecurityEventKind.TOKEN_AGENT_INACTIVE})
