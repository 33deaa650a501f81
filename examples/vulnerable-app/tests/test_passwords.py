from app import passwords


def test_the_right_password_verifies_against_its_stored_hash() -> None:
    stored = passwords.hash_password("correct horse battery staple")

    assert passwords.verify_password("correct horse battery staple", stored)


def test_a_wrong_password_does_not_verify() -> None:
    stored = passwords.hash_password("correct horse battery staple")

    assert not passwords.verify_password("Correct horse battery staple", stored)


def test_the_stored_value_does_not_contain_the_password() -> None:
    assert "hunter2" not in passwords.hash_password("hunter2")
