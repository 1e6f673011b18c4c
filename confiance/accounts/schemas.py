from ninja import Schema


class MembershipOut(Schema):
    commune_insee: str
    commune_name: str
    role: str
    role_label: str


class MeOut(Schema):
    username: str
    full_name: str
    memberships: list[MembershipOut]
    permissions: dict[str, list[str]]
    token: str | None
