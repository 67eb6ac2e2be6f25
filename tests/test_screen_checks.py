"""The browser test's screen checks find each problem they look for (no browser needed)."""

from __future__ import annotations

import pytest

from scripts.screen_checks import Strings, fragment, missing_texts, problems

KEYS = Strings.load("en").keys()

GOOD = """\
- dialog:
  - banner:
    - button "Close"
    - text: Custom endpoint and credentials
  - text: IAM endpoint*
  - textbox "IAM endpoint*":
    - /placeholder: ""
    - text: http://127.0.0.1:8790
  - paragraph:
    - text: Base address of IAM, for example
    - link "https://iam.cn-north-4.myhuaweicloud.com":
      - /url: https://iam.cn-north-4.myhuaweicloud.com
    - text: . http:// is only allowed for this computer (localhost).
  - switch
  - paragraph: Add punctuation
  - textbox:
    - /placeholder: Search
  - radio "Continuous"
  - listitem: Mandarin model * General (recommended)
  - link "Help":
    - /url: https://github.com/ha-huawei-cloud-sis/huawei-cloud-sis
"""


RUN_ON_LINK = """\
  - link "https://iam.example.com。http://":
    - /url: https://iam.example.com%E3%80%82http://"""
"""How a web page links an address followed by Chinese punctuation without a space."""


def test_a_good_screen_passes() -> None:
    assert problems(GOOD, KEYS) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("  - paragraph: Error undefined", "'undefined' shown"),
        ("  - text: component.huawei_cloud_sis.config.step.user.title", "raw translation key"),
        ("  - paragraph: The service refused the request (error {code}).", "placeholder left"),
        ('  - textbox "sis_endpoint*":', "untranslated key shown: 'sis_endpoint*'"),
        ('  - radio "sentence-stream"', "untranslated key shown: 'sentence-stream'"),
        ("  - listitem: chinese_16k_common", "untranslated key shown: 'chinese_16k_common'"),
        ('  - radio ""', "a field without a label"),
        ("  - switch\n  - switch", "a field without a label"),
        (RUN_ON_LINK, "broken link"),
        ('  - link "https://iam.example.com。":\n    - /url: https://iam.example.com', "link text"),
        ('  - link "Help"', "has no address"),
    ],
)
def test_each_problem_is_found(line: str, found: str) -> None:
    reported = problems(GOOD + line + "\n", KEYS)
    assert any(found in problem for problem in reported), reported


def test_the_chinese_strings_load() -> None:
    strings = Strings.load("zh-Hans")
    assert strings.field("custom_endpoint", "password") == "密码"
    assert strings("selector.region.options.custom") == "自定义终端节点"
    assert {"region", "custom", "short-stream", "invalid_password"} <= strings.keys()


def test_keys_come_from_the_code_too() -> None:
    """A key missing from every translation file is still recognised when shown."""
    assert {"continue-stream", "sis_endpoint", "chinese_16k_common", "aksk"} <= Strings(
        "en", {}
    ).keys()


def test_help_texts_of_a_step_and_of_a_section() -> None:
    strings = Strings.load("en")
    user = strings.help_texts("config.step.user")
    assert user == [
        strings("config.step.user.description"),
        strings("config.step.user.data_description.region"),
        strings("config.step.user.data_description.auth_type"),
    ]
    password = strings.help_texts("config.step.custom_endpoint", ["password"])
    assert password[1:] == [strings("config.step.custom_endpoint.data_description.password")]
    section = strings.help_texts("options.step.init.sections.hot_words")
    assert len(section) == 1 + 4  # the section's description and its four fields


def test_a_text_is_found_as_the_tree_shows_it() -> None:
    """Addresses become links and a text with a colon is quoted: a plain stretch is sought."""
    endpoint = Strings.load("en")("config.step.custom_endpoint.data_description.iam_endpoint")
    mode = Strings.load("en")("options.step.init.sections.recognition.data_description.mode")
    chinese = Strings.load("zh-Hans")("options.step.init.sections.hot_words.description")
    tree = GOOD + f'  - paragraph: "{mode}"\n  - paragraph: {chinese}\n'
    assert missing_texts(tree, [endpoint, mode, chinese]) == []
    assert "://" not in fragment(endpoint)
    assert "{" not in fragment(Strings.load("en")("config.step.credentials.description"))
    # A help text that has not loaded yet is missing.
    later = Strings.load("en")("config.step.custom_endpoint.data_description.sis_endpoint")
    assert missing_texts(tree, [later]) == [later]
