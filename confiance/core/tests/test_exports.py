"""CSV cells a spreadsheet would read as a formula come out as text; numbers and ordinary text are untouched."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from confiance.core.exports import FORMULA_STARTS, SafeDictWriter, SafeWriter, csv_cell


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                   "=cmd|' /C calc'!A0", "-", "+", "@"])
def test_formula_starts_are_escaped(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12", "-1,5", "+33", "-2.5e3", "Rue de la Paix", "", "1=1", " =1"])
def test_numbers_and_text_are_kept(value):
    assert csv_cell(value) == value


@pytest.mark.parametrize("value", [None, -3, 2.5, True])
def test_non_text_is_kept(value):
    assert csv_cell(value) == value


@given(st.text())
def test_no_cell_starts_a_formula_once_written(text):
    buffer = io.StringIO()
    SafeWriter(buffer).writerow([text, "x"])
    SafeDictWriter(buffer, fieldnames=["a"]).writerow({"a": text})
    for row in csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"):
        for cell in row:
            number = cell.lstrip("+-").replace(",", "").replace(".", "").replace("e", "").replace("E", "")
            assert cell[:1] not in FORMULA_STARTS or number.lstrip("+-").isdigit()


def test_dict_writer_keeps_its_header():
    buffer = io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=["adresse", "description"])
    writer.writeheader()
    writer.writerows([{"adresse": "=1+1", "description": "ok"}])
    assert buffer.getvalue().splitlines() == ["adresse;description", "'=1+1;ok"]
