from datetime import timedelta

import numpy as np
import pytest
from django.utils import translation

from confiance.analytics.services import dataset_import
from confiance.analytics.tests.factories import TODAY, events_csv
from confiance.operations.tests.factories import configure_commune, make_actor
from confiance.reports.tests.factories import make_world


@pytest.fixture(autouse=True)
def french():
    """Messages are checked in French, whatever language an earlier test left active."""
    with translation.override("fr"):
        yield


@pytest.fixture
def world():
    world = make_world()
    configure_commune(world.commune)
    world.analyst = make_actor(communes=[world.commune], role="elected_official")
    world.operator = make_actor(communes=[world.commune], role="csu_operator")
    world.technician = make_actor(communes=[world.commune], role="technical_agent")
    world.outsider = make_actor(communes=[world.other], role="elected_official")
    return world


@pytest.fixture
def burglaries(world):
    """A year of imported burglaries in commune A: a hot corner and near repeats, fixed seed."""
    rng = np.random.default_rng(3)
    rows = []
    for offset in range(364):
        day = TODAY - timedelta(days=364 - offset)
        for _ in range(rng.poisson(1.5)):
            if rng.random() < 0.5:
                lat, lon = 48.552 + rng.normal(0, 0.0008), 2.402 + rng.normal(0, 0.001)
            else:
                lat, lon = rng.uniform(48.551, 48.569), rng.uniform(2.401, 2.419)
            rows.append((day, int(rng.integers(0, 24)), "Cambriolage", round(lat, 6), round(lon, 6)))
            if rng.random() < 0.3 and offset < 360:
                rows.append((day + timedelta(days=int(rng.integers(0, 4))), 12, "Cambriolage",
                             round(lat + 0.0003, 6), round(lon, 6)))
    return dataset_import(actor=world.analyst, commune_id=world.commune.pk, name="Cambriolages", data=events_csv(rows),
                          crs=None)
