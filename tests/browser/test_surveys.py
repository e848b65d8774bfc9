"""Taking a survey from the emailed link, keyboard only, on a phone-sized screen; and reading
its results. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from engagement.models import Answer, QuestionKind, Response, SurveyStatus
from engagement.selectors.surveys import Invitee
from engagement.services.surveys import (
    survey_create,
    survey_invite,
    survey_question_add,
    survey_section_add,
    survey_status_set,
)

from ..conftest import World
from .conftest import assert_accessible, log_in, watch_console

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _survey(world: World):
    admin = world.admin
    with scope(tenant=world.halton):
        survey = survey_create(
            tenant=world.halton, actor=admin, title="Partner check-in",
            title_fr="Bilan des partenaires", intro="Five minutes, no more.",
        )  # fmt: skip
        first = survey.sections.get()
        benefit = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.YES_NO, is_required=True,
            text="Does your organization benefit?", text_fr="Votre organisme en profite-t-il ?",
        )  # fmt: skip
        survey_question_add(
            section=first, actor=admin, kind=QuestionKind.LIKERT, text="Progress is clear."
        )
        survey_question_add(
            section=first, actor=admin, kind=QuestionKind.SHORT_TEXT, text="What is missing?",
            show_if=benefit, show_if_value="no",
        )  # fmt: skip
        second = survey_section_add(survey=survey, actor=admin, title="Your team")
        survey_question_add(
            section=second, actor=admin, kind=QuestionKind.NUMBER, is_required=True,
            text="How many staff take part?", show_if=benefit, show_if_value="yes",
        )  # fmt: skip
        survey_question_add(
            section=second, actor=admin, kind=QuestionKind.LONG_TEXT, text="Anything else?"
        )
        survey_status_set(survey=survey, actor=admin, status=SurveyStatus.OPEN)
        survey_invite(
            survey=survey, actor=admin,
            invitees=[Invitee(email="desk@agency.example", name="Intake desk")],
        )  # fmt: skip
    return survey


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus: reachable by keyboard, in order."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_taking_a_survey_keyboard_only_on_a_phone(
    browser: Browser, live_server, browser_world: World
) -> None:
    survey = _survey(browser_world)
    [message] = [m for m in mail.outbox if m.to == ["desk@agency.example"]]
    link = re.search(r"http://testserver(/surveys/answer/[\w-]+/)", message.body).group(1)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-CA")
    page = watch_console(context.new_page())
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partner check-in")
    notice = page.get_by_text("This survey is anonymous.")
    expect(notice).to_be_visible()
    assert_accessible(page)
    _fits(page)

    # A required answer missing: the page says so, and keeps its place.
    _tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("This question needs an answer.")).to_be_visible()
    assert_accessible(page)

    with scope(tenant=browser_world.halton):
        questions = {q.text: q.pk for q in survey.questions.all()}
    benefit = questions["Does your organization benefit?"]
    _tab_to(page, f"#q{benefit}-yes")
    page.keyboard.press("Space")
    _tab_to(page, f"#q{questions['Progress is clear.']}-1")
    # Within a group of radio buttons the arrow keys move the choice.
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    _tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Your team")
    # Asked because the answer was "yes".
    expect(page.locator("legend", has_text="How many staff take part?")).to_be_visible()
    assert_accessible(page)
    _fits(page)

    _tab_to(page, f"#q{questions['How many staff take part?']}-input")
    page.keyboard.type("4")
    _tab_to(page, f"#q{questions['Anything else?']}-input")
    page.keyboard.type("Keep the digests coming.")
    _tab_to(page, "button[value=finish]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your answers are in")
    assert_accessible(page)
    _fits(page)

    with scope(tenant=browser_world.halton):
        response = Response.objects.get(survey=survey)
        assert response.user_id is None and response.respondent_name == ""
        values = {a.question_id: (a.value, a.number, a.text) for a in Answer.objects.all()}
    assert values[benefit][0] == "yes"
    assert values[questions["Progress is clear."]][0] == "4"
    assert values[questions["How many staff take part?"]][1] == 4
    # The link is spent.
    page.goto(link)
    expect(page.get_by_text("This link has already been used")).to_be_visible()
    errors = list(page.console_errors)
    context.close()
    assert errors == [], errors


def test_reading_results(page: Page, browser_world: World) -> None:
    _survey(browser_world)
    [message] = [m for m in mail.outbox if m.to == ["desk@agency.example"]]
    link = re.search(r"http://testserver(/surveys/answer/[\w-]+/)", message.body).group(1)
    page.goto(link)
    # With script, a question that depends on an answer on the same page waits for it.
    missing = page.locator("legend", has_text="What is missing?")
    expect(missing).to_be_hidden()
    page.get_by_label("No ·").check()
    expect(missing).to_be_visible()
    page.get_by_label("Yes").check()
    expect(missing).to_be_hidden()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("How many staff take part?").fill("3")
    page.get_by_role("button", name="Finish and send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your answers are in")

    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", browser_world.password)
    page.get_by_role("link", name="Surveys").first.click()
    page.get_by_role("link", name="Partner check-in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partner check-in")
    expect(
        page.get_by_role("img", name=re.compile("Answers to “Does your organization"))
    ).to_be_visible()
    expect(
        page.get_by_role("table", name="Answers to “Does your organization benefit?”")
    ).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    _fits(page)
