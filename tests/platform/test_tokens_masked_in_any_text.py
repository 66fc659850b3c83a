"""A resident token is masked wherever log text carries it: a URL path, a query string, JSON
(also escaped inside a JSON message), a Python repr, and the error text urllib3 builds."""

from __future__ import annotations

import pytest

from kiosk.core.privacy import mask_text

TOKEN = "AJ6YqN-gqgMid5dam3UvRRc0"


@pytest.mark.parametrize(
    "text",
    [
        f'https://127.0.0.1:8765 "GET /v1/residents/{TOKEN}/profile HTTP/1.1" 200 392',
        f"GET /v1/services/x/prefill?resident_token={TOKEN}&page=1 HTTP/1.1",
        f'{{"resident_token": "{TOKEN}", "service": "x"}}',
        f'{{"msg": "body {{\\"resident_token\\": \\"{TOKEN}\\"}}"}}',
        f"{{'resident_token': '{TOKEN}'}}",
        f"Max retries exceeded with url: /v1/residents/{TOKEN}/records/kind?page=2 (Caused by",
    ],
)
def test_the_token_is_masked(text: str) -> None:
    masked = mask_text(text)
    assert TOKEN not in masked and "[token]" in masked


def test_route_templates_stay_readable() -> None:
    text = '"path": "/v1/residents/{token}/records/{kind}"'
    assert mask_text(text) == text
