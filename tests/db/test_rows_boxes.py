"""A unit's boxes are stored as the text ``json.dumps`` gives, errors included (db.rows)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from db.rows import boxes_json
from workbench.model import Rect

BOXES = [
    (),
    (Rect(0, 50.0, 379.2480163574219, 271.5259704589844, 389.7149963378906),
     Rect(12, -0.0, 1e-7, 1e300, 612.0)),
    ((3, float("nan"), float("inf"), float("-inf"), 2),),
    [[1, 2.5, True, None, 4]],
]


@pytest.mark.parametrize("boxes", BOXES)
def test_boxes_are_written_as_json_dumps_writes_them(boxes):
    assert boxes_json(boxes) == json.dumps(boxes)


def test_boxes_json_reads_back_to_the_boxes():
    boxes = BOXES[1]
    assert [Rect(*b) for b in json.loads(boxes_json(boxes))] == list(boxes)


def test_what_json_cannot_hold_raises_as_json_dumps_does():
    loop: list = []
    loop.append((loop,))
    with pytest.raises(ValueError, match="Circular reference"):
        boxes_json((loop,))
    with pytest.raises(TypeError, match="not JSON serializable"):
        boxes_json(((0, object()),))
    assert boxes_json(BOXES[1]) == json.dumps(BOXES[1])  # the encoder kept no state


def test_a_changed_private_encoder_falls_back_to_json_dumps(monkeypatch):
    """``c_make_encoder`` is CPython's private helper: if a later Python changes it, building
    the encoder must not stop ``db.rows`` importing (no library would open)."""
    from json import encoder

    from db import rows

    def changed(*_args):
        raise TypeError("c_make_encoder() takes 12 arguments")

    with monkeypatch.context() as patch:
        patch.setattr(encoder, "c_make_encoder", changed)
        assert rows._boxes_encoder() is None
    monkeypatch.setattr(rows, "_ENCODE_BOXES", None)
    # a list and a box holding infinity are not for the remembered-coordinates path, so these
    # reach the fallback itself
    assert rows.boxes_json([(0, 1.5, 2.0, 3.25, 4.0)]) == "[[0, 1.5, 2.0, 3.25, 4.0]]"
    assert rows.boxes_json(((0, 1.5, float("inf"), 3.25, 4.0),)) == "[[0, 1.5, Infinity, 3.25, 4.0]]"


class _OwnRepr(float):
    def __repr__(self) -> str:
        return "own"


def test_remembered_coordinates_are_written_as_json_dumps_writes_each_value():
    """Coordinates already written are looked up, not formatted again (issue 13, Speed): a
    value equal to a remembered one but of another sign or type is written as itself."""
    sequence = [
        (Rect(0, 0.0, 56.5, 379.2480163574219, 1e-7), Rect(1, 56.5, 56.5, 56.5, 56.5)),
        (Rect(0, -0.0, 56.5, 379.2480163574219, 1e-7),),  # -0.0 after 0.0
        (Rect(2, 56, 56.5, 379, 1e-7),),  # ints equal to remembered floats
        ((3, 56.5, 379.2480163574219, True, 1e-7),),  # a bool
        ((True, 56.5, 379.2480163574219, 1.0, 1e-7),),  # a bool page: json writes true
        ((5, np.float64(1.5), 2.0, 3.0, 4.0),),  # numpy's repr is "np.float64(1.5)"
        ((6, _OwnRepr(1.5), 2.0, 3.0, 4.0),),  # a float subclass's own repr is not json's
        ((7, 1.5, float("nan"), 3.0, 4.0),),
        (Rect(4, 56.5, float("inf"), 1.0, 2.0),),
    ]
    for boxes in sequence * 2:
        assert boxes_json(boxes) == json.dumps(boxes)


def test_the_remembered_coordinates_stay_under_their_limit(monkeypatch):
    """The coordinate texts are a bounded cache: past its limit it starts again, and what it
    writes is still what ``json.dumps`` writes."""
    from db import rows

    monkeypatch.setattr(rows, "_FLOAT_TEXT_LIMIT", 4)
    monkeypatch.setattr(rows, "_FLOAT_TEXT", {})
    for i in range(10):
        boxes = (Rect(0, 1.5 + i, 2.5 + i, 3.5 + i, 4.5 + i),)
        assert rows.boxes_json(boxes) == json.dumps(boxes)
        assert len(rows._FLOAT_TEXT) <= 4
