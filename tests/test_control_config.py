"""POST /_emulator/config changes an assumption at run time; a value of the wrong type is a
400 and changes nothing (it would otherwise break the engine later, far from its cause)."""


def test_config_changes_take_effect(emu):
    web = emu.app.test_client()
    resp = web.post("/_emulator/config", json={"beep_seconds": 0.25, "ring_delay": 2})
    assert resp.status_code == 200
    assert resp.get_json()["beep_seconds"] == 0.25 and emu.config.ring_delay == 2.0


def test_a_value_of_the_wrong_type_is_refused_and_nothing_changes(emu):
    web = emu.app.test_client()
    before = web.get("/_emulator/config").get_json()
    for bad in ({"beep_seconds": "loud"}, {"strict_actions": "yes"}, {"ring_delay": None},
                {"jitter_buffer_ms": [1, 2]}, {"ring_delay": 1, "speech_attack_ms": "x"},
                {"no_such_option": 1}):
        resp = web.post("/_emulator/config", json=bad)
        assert resp.status_code == 400, bad
        assert set(resp.get_json()) == {"code", "message", "more_info", "status"}
    assert web.get("/_emulator/config").get_json() == before
