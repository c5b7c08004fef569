"""``serve`` builds itself with the garbage collector paused, then freezes what it built
(``twilio_conf_emulator.startup.paused_gc``); a failed start-up leaves the collector as it was."""

import gc

import pytest

from twilio_conf_emulator.startup import paused_gc


@pytest.fixture(autouse=True)
def _collector_restored():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


def test_start_up_runs_without_collection_and_what_it_made_is_frozen():
    gc.enable()
    gc.unfreeze()
    with paused_gc():
        assert not gc.isenabled()
        made = [[i] for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)


def test_a_failed_start_up_freezes_nothing_and_collection_resumes():
    gc.enable()
    gc.unfreeze()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("cannot listen")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_caller_that_turned_collection_off_keeps_it_off():
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()
