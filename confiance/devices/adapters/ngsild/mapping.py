"""Which attribute of which Smart Data Model becomes which platform quantity, in which unit, observed when.

Units: an attribute's NGSI-LD `unitCode` (UN/CEFACT common code) is converted to the platform's unit
(`choices.QUANTITY_UNITS`); an attribute without `unitCode` is taken in the model's documented unit (the platform's,
except `relativeHumidity` of AirQualityObserved, a fraction of one, stored in percent). Another unit code is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from confiance.devices.choices import Quantity


def _scale(factor: float) -> Callable[[float], float]:
    return lambda value: value * factor


def _same(value: float) -> float:
    return value


# entity type -> [(attribute, quantity, conversion when no unitCode)]; the first attribute present wins a quantity.
ATTRIBUTES: dict[str, list[tuple[str, str, Callable[[float], float]]]] = {
    "AirQualityObserved": [
        ("pm10", Quantity.PM10, _same), ("pm25", Quantity.PM25, _same), ("no2", Quantity.NO2, _same),
        ("o3", Quantity.O3, _same), ("temperature", Quantity.TEMPERATURE, _same),
        ("relativeHumidity", Quantity.HUMIDITY, _scale(100.0)), ("windSpeed", Quantity.WIND_SPEED, _same),
        ("precipitation", Quantity.RAINFALL, _same),
    ],
    "NoiseLevelObserved": [("LAeq", Quantity.NOISE_LAEQ, _same)],
    "WaterObserved": [
        ("height", Quantity.WATER_LEVEL, _same), ("waterLevel", Quantity.WATER_LEVEL, _same),
        ("flow", Quantity.FLOW, _same), ("waterDischarge", Quantity.FLOW, _same),
    ],
    "FloodMonitoring": [("currentLevel", Quantity.WATER_LEVEL, _same)],
}

# DeviceMeasurement: `numValue` is the value of `controlledProperty` (Smart Data Models Device names, or ours).
CONTROLLED_PROPERTIES: dict[str, str] = {
    "waterLevel": Quantity.WATER_LEVEL, "waterFlow": Quantity.FLOW, "noiseLevel": Quantity.NOISE_LAEQ,
    "precipitation": Quantity.RAINFALL, "temperature": Quantity.TEMPERATURE, "humidity": Quantity.HUMIDITY,
    "windSpeed": Quantity.WIND_SPEED, "smoke": Quantity.SMOKE, "batterySupply": Quantity.BATTERY,
    **{quantity.value: quantity.value for quantity in Quantity},
}

# The entity's own observation time, by type, in order of preference (an attribute's `observedAt` comes first).
TIME_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "AirQualityObserved": ("dateObserved",),
    "NoiseLevelObserved": ("dateObservedTo", "dateObserved", "dateObservedFrom"),
    "WaterObserved": ("dateObserved", "dateObservedTo"),
    "FloodMonitoring": ("observationDateTime", "dateObserved"),
    "DeviceMeasurement": ("dateObserved",),
}

# UN/CEFACT unit codes accepted for each quantity, and how a value in that unit becomes the platform's unit.
UNIT_CODES: dict[str, dict[str, Callable[[float], float]]] = {
    Quantity.WATER_LEVEL: {"MTR": _same, "CMT": _scale(0.01), "MMT": _scale(0.001)},
    Quantity.FLOW: {"MQS": _same, "MQH": _scale(1 / 3600)},
    Quantity.PM10: {"GQ": _same, "GP": _scale(1000.0)},
    Quantity.PM25: {"GQ": _same, "GP": _scale(1000.0)},
    Quantity.NO2: {"GQ": _same, "GP": _scale(1000.0)},
    Quantity.O3: {"GQ": _same, "GP": _scale(1000.0)},
    Quantity.NOISE_LAEQ: {"2N": _same},
    Quantity.RAINFALL: {"MMT": _same},
    Quantity.TEMPERATURE: {"CEL": _same, "KEL": lambda value: value - 273.15},
    Quantity.HUMIDITY: {"P1": _same, "C62": _scale(100.0)},
    Quantity.WIND_SPEED: {"MTS": _same, "KMH": _scale(1 / 3.6)},
    Quantity.SMOKE: {"C62": _same},
    Quantity.CONTACT_OPEN: {"C62": _same},
    Quantity.BATTERY: {"P1": _same},
    Quantity.SIGNAL: {"2N": _same},
}
