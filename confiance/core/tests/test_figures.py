import pytest

from confiance.core.figures import percentile, rounded


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([10.0], 0.5, 10.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 0.9, 3.7),
        ([4.0, 1.0, 3.0, 2.0], 0.0, 1.0),
        ([4.0, 1.0, 3.0, 2.0], 1.0, 4.0),
    ],
)
def test_percentile_interpolates_between_closest_ranks(values, share, expected):
    assert percentile(values, share) == pytest.approx(expected)


def test_percentile_of_nothing_is_none():
    assert percentile([], 0.5) is None


def test_percentile_refuses_a_share_outside_zero_one():
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)


def test_rounded_keeps_none():
    assert rounded(None) is None
    assert rounded(2.345, 1) == 2.3
