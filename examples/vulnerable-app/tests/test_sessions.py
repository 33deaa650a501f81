from app import sessions


def test_a_session_survives_the_round_trip_through_its_cookie() -> None:
    session = {"user": "alice", "cart": ["teapot", "cups"], "visits": 3}

    cookie = sessions.encode_session(session)

    assert sessions.decode_session(cookie) == session


def test_the_cookie_value_is_safe_in_a_cookie_header() -> None:
    cookie = sessions.encode_session({"user": "alice"})

    assert cookie.isascii()
    assert not set(cookie) & set(' ;,"\\')
