"""A learner's mock exam in a real browser, at a desktop and at a phone-sized viewport: start,
answer, close the browser, come back on a new session, find everything, hand in, see results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from qbank.accounts.models import Role
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".tools .who")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_mock_exam_survives_a_closed_browser(browser: Browser, live_server: str, make_user,
                                             viewport: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.LEARNER, specialty="sink", level="junior")
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if viewport == "phone" \
        else {"viewport": {"width": 1280, "height": 900}}
    context = browser.new_context(**options)
    page = context.new_page()
    sign_in(page, live_server, user.username)
    page.goto(live_server + "/practice")
    page.get_by_role("button", name="开始模拟考试").click()
    expect(page.locator(".timer")).to_have_text(re.compile(r"^(1:59|2:00):\d\d$"))
    # answer question 1 (single choice) and question 41 (first multiple choice), flag question 2
    page.locator("#q1 .choice").nth(1).click()
    expect(page.locator("[data-save-state]")).to_have_text("所有答案已保存")
    page.get_by_role("button", name="下一题").first.click()
    page.locator("#q2 [data-flag]").check()
    if viewport == "phone":
        page.get_by_role("button", name="题目列表").click()
    page.locator("#nav-41").click()
    page.locator("#q41 .choice").nth(0).click()
    page.locator("#q41 .choice").nth(2).click()
    expect(page.locator("[data-save-state]")).to_have_text("所有答案已保存")
    chosen_1 = page.locator("#q1 input:checked").get_attribute("value")
    context.close()  # the browser is closed mid-exam

    again = browser.new_context(**options)
    page = again.new_page()
    sign_in(page, live_server, user.username)
    page.goto(live_server + "/practice")
    page.get_by_role("link", name="继续未完成的考试").click()
    expect(page.locator("#nav-1")).to_have_class(re.compile("answered"))
    expect(page.locator("#nav-41")).to_have_class(re.compile("answered"))
    expect(page.locator("#nav-2")).to_have_class(re.compile("flagged"))
    assert page.locator("#q1 input:checked").get_attribute("value") == chosen_1
    assert page.locator("#q41 input:checked").count() == 2
    page.get_by_role("button", name="交卷").click()
    expect(page.locator("[data-unanswered-summary]")).to_contain_text("未作答")
    page.get_by_role("button", name="确认交卷").click()
    expect(page.locator(".result-hero .big-number")).to_be_visible()
    expect(page.locator("#q1")).to_contain_text("你的答案")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1
    again.close()
