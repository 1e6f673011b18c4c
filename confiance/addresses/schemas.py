"""What the address endpoints return: public reference data, fields listed explicitly."""

from ninja import Schema


class AddressOut(Schema):
    kind: str  # "address" (a number on a street) or "street" (the whole street)
    label: str
    street: str
    number: str
    postal_code: str
    city: str
    insee_code: str
    lat: float
    lon: float


class StreetLabelOut(Schema):
    name: str
    lat: float
    lon: float
    angle: float
