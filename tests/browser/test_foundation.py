"""A visitor browses the syllabus, checks eligibility, switches language and registers —
at a desktop and at a phone-sized viewport."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE


def test_visitor_checks_eligibility_and_registers(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(page.locator(".brand-text")).to_have_text("碳减排题库")
    page.get_by_role("link", name="报名条件自测").first.click()
    page.select_option("#education", "bachelor")
    page.fill("#years_in_field", "2")
    page.get_by_role("button", name="开始自测").click()
    senior = page.locator('.outcome[data-level="senior"]')
    expect(senior).to_contain_text("可以报考")
    expect(senior).to_contain_text("senior.3")

    page.get_by_role("link", name="注册").first.click()
    page.fill("#username", "zhang.san")
    page.fill("#display_name", "张三")
    page.select_option("#specialty", "sink")
    page.select_option("#level", "junior")
    page.fill("#password", "carbon-2027")
    page.fill("#confirm", "carbon-2027")
    page.get_by_role("button", name="注册").click()
    expect(page.locator(".flash-success")).to_contain_text("欢迎")
    expect(page.locator(".tools .who")).to_have_text("张三")


def test_language_switch_and_syllabus(page: Page, live_server: str) -> None:
    page.goto(live_server + "/syllabus/sink")
    expect(page.locator("h1")).to_have_text("碳汇计量评估专业技能")
    expect(page.locator(".part").nth(2)).to_contain_text("第3部分")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Carbon Sink Measurement and Assessment")
    expect(page).to_have_url(re.compile(r"/syllabus/sink$"))


@pytest.fixture
def phone(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_phone_menu_and_calendar(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/")
    nav = phone.locator(".mainnav")
    expect(nav).to_be_hidden()
    phone.locator(".nav-burger").click()
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="考试日历").click()
    expect(phone.locator("h1")).to_have_text("考试日历")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1  # no sideways scrolling of the page itself
