"""Frigate's `events` and `reviews` messages read into stripped drafts: only camera, labels, zones, score, time and a
digest of the id survive; identity labels are refused; anything unreadable is None, never an exception."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.devices.adapters.frigate.parsing import parse_event, parse_message, parse_review
from confiance.devices.adapters.video import label
from confiance.devices.drafts import DetectionDraft
from confiance.devices.tests.video_support import PLANTED, frigate_event, frigate_review


def _text(draft: DetectionDraft) -> str:
    return repr(draft)


def test_an_event_keeps_only_camera_label_zones_score_and_time():
    draft = parse_event(frigate_event("cam-gare", "backpack", zones=("parvis", "quai")))
    assert draft.camera == "cam-gare" and draft.labels == ("backpack",) and draft.zones == ("parvis", "quai")
    assert draft.score == 0.9 and draft.final
    assert len(draft.key) == 32 and "1700000000" not in draft.key
    assert not any(value in _text(draft) for value in PLANTED)


def test_a_new_message_is_not_final_and_the_same_event_has_the_same_key():
    new = parse_event(frigate_event("cam-gare", "fire", kind="new"))
    end = parse_event(frigate_event("cam-gare", "fire", kind="end"))
    assert not new.final and end.final and new.key == end.key


def test_a_review_reads_objects_and_zones_and_never_sub_labels():
    draft = parse_review(frigate_review("cam-gare", ["person-verified", "car", "face"], zones=["voies"]))
    assert draft.labels == ("person", "car") and draft.zones == ("voies",)
    assert not any(value in _text(draft) for value in PLANTED)


@pytest.mark.parametrize("value", ["face", "license_plate", "LPR", "plate"])
def test_identity_labels_are_refused(value):
    assert label(value) is None
    assert parse_event(frigate_event("cam-gare", value)).labels == ()


@pytest.mark.parametrize("payload", [
    b"", b"{", b"[]", b'{"type": "new"}', b'{"type": "bogus", "after": {}}',
    json.dumps({"type": "end", "after": {"camera": "cam", "label": "fire"}}).encode(),  # no time
    json.dumps({"type": "end", "after": {"camera": "../etc", "label": "fire", "start_time": 1.7e9}}).encode(),
    json.dumps({"type": "end", "after": {"camera": "cam", "label": "fire", "start_time": 1e20}}).encode(),
    json.dumps({"type": "end", "after": {"camera": "cam", "start_time": float("nan")}}).encode(),
    b"\xff\xfe", b"[" * 5000 + b"]" * 5000,
])
def test_unreadable_messages_are_none(payload):
    assert parse_event(payload) is None
    assert parse_review(payload) is None


def test_a_false_positive_has_no_label():
    document = json.loads(frigate_event("cam-gare", "fire"))
    document["after"]["false_positive"] = True
    assert parse_event(json.dumps(document).encode()).labels == ()


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4)
                    | st.dictionaries(st.sampled_from(["type", "after", "camera", "label", "start_time", "data",
                                                       "objects", "zones", "current_zones", "score", "id"]),
                                      children, max_size=6), max_leaves=30),
       st.sampled_from(["events", "reviews", "other"]))
def test_generated_messages_never_raise(document, kind):
    try:
        payload = json.dumps(document).encode()
    except ValueError:
        return
    draft = parse_message(kind, payload)
    assert draft is None or isinstance(draft, DetectionDraft)
