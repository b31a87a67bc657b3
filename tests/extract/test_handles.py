"""Platform handles and links."""

from __future__ import annotations

import pytest

from adtrace.extract.handles import extract_handles


def handles(text: str) -> list[tuple[str | None, str]]:
    return [(s.platform, str(s.value)) for s in extract_handles(text) if s.confidence >= 0.5]


@pytest.mark.parametrize(
    ("text", "platform", "value"),
    [
        ("snap: hazel.xo", "snapchat", "hazel.xo"),
        ("SC: rubyred_test", "snapchat", "rubyred_test"),
        ("add me 👻 ivyfun_test", "snapchat", "ivyfun_test"),
        ("Snapchat 👻 : julie.test", "snapchat", "julie.test"),
        ("snapchat.com/add/amy_test", "snapchat", "amy_test"),
        ("IG: @jade.test", "instagram", "jade.test"),
        ("follow my insta @amber_test_ for more", "instagram", "amber_test_"),
        ("Instagram : marie_test_mtl", "instagram", "marie_test_mtl"),
        ("pics at instagram.com/daisy.test", "instagram", "daisy.test"),
        ("see www.instagram.com/hazel_x", "instagram", "hazel_x"),
        ("voir https://www.onlyfans.com/iris_test", "onlyfans", "iris_test"),
        ("VIP t.me/lily_test_vip", "telegram", "lily_test_vip"),
        ("tg: @roxy_test", "telegram", "roxy_test"),
        ("Telegram: @mia_test_to", "telegram", "mia_test_to"),
        ("kik: candy_test", "kik", "candy_test"),
        ("kik me @ella_test", "kik", "ella_test"),
        ("onlyfans.com/misty_test", "onlyfans", "misty_test"),
        ("OF: bella_test", "onlyfans", "bella_test"),
        ("twitter.com/nova_test", "twitter", "nova_test"),
        ("https://x.com/luna_test", "twitter", "luna_test"),
        ("wa.me/15145550194", "whatsapp", "+15145550194"),
        ("WhatsApp +1 514 555 0193", "whatsapp", "+15145550193"),
        ("whatsapp me 604 555 0170", "whatsapp", "+16045550170"),
        ("mon whatsapp : +33 1 99 00 33 44", "whatsapp", "+33199003344"),
    ],
)
def test_finds_handle(text: str, platform: str, value: str) -> None:
    assert handles(text) == [(platform, value)]


@pytest.mark.parametrize(
    "text",
    [
        "my insta is private",
        "lots of fun, out of town",
        "snap me anytime",
        "no whatsapp, calls only",
        "description: sweet and discreet",
        "",
    ],
)
def test_ignores_prose(text: str) -> None:
    assert handles(text) == []


def test_link_keyword_does_not_double_count() -> None:
    assert handles("mon onlyfans : onlyfans.com/camille_test") == [("onlyfans", "camille_test")]
