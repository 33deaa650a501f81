from app import http_client


def test_parse_rates_reads_the_rates_object_as_floats() -> None:
    body = b'{"base": "EUR", "rates": {"USD": 1.08, "GBP": "0.85", "JPY": 169}}'

    assert http_client.parse_rates(body) == {"USD": 1.08, "GBP": 0.85, "JPY": 169.0}
