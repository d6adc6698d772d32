"""Bulk work leaves the process's long-lived objects out of garbage collections, and only while it runs."""

import gc
import weakref

import pytest

from rentalbridge.garbage_collection import long_lived_objects_frozen


class Node:
    """A reference cycle, collectable only by the garbage collector."""

    def __init__(self) -> None:
        self.me = self


def test_objects_held_at_the_start_are_frozen_for_the_block_only():
    assert gc.get_freeze_count() == 0
    with long_lived_objects_frozen():
        assert gc.get_freeze_count() > 1000
    assert gc.get_freeze_count() == 0


def test_nested_blocks_keep_the_freeze_until_the_outer_one_ends():
    with long_lived_objects_frozen():
        with long_lived_objects_frozen():
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_an_error_in_the_block_still_unfreezes():
    with pytest.raises(RuntimeError), long_lived_objects_frozen():
        raise RuntimeError("import refused")
    assert gc.get_freeze_count() == 0


def test_garbage_the_work_makes_is_still_collected():
    with long_lived_objects_frozen():
        node = Node()
        alive = weakref.ref(node)
        del node
        gc.collect()
        assert alive() is None


def test_a_frozen_object_that_became_garbage_is_collected_after_the_block():
    node = Node()
    alive = weakref.ref(node)
    with long_lived_objects_frozen():
        del node
        gc.collect()
        assert alive() is not None
    gc.collect()
    assert alive() is None
