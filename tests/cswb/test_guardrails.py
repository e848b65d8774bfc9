from __future__ import annotations

import pytest

from cswb.guardrails import personal_information_found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Call her at 905-555-0142 tomorrow", ["a phone number"]),
        ("reach (289) 555 0199", ["a phone number"]),
        ("email j.doe@example.org for the file", ["an email address"]),
        ("OHIP 1234-567-890-AB on the form", ["an Ontario health card number"]),
        ("client DOB: 03/04/1988", ["a date of birth"]),
        ("born on March 4, 1988", ["a date of birth"]),
    ],
)
def test_personal_details_are_recognised(text: str, found: list[str]) -> None:
    assert personal_information_found(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Due 2026-03-01; 12 agencies signed the protocol.",
        "Opened 25 new shelter beds in 2025 and trained 140 staff.",
        "Meeting moved to room 204, 10:30 to 12:00.",
        "Target: reduce wait times from 45 to 30 days by Q3 2027.",
    ],
)
def test_system_level_text_is_not_flagged(text: str) -> None:
    assert personal_information_found(text) == []
