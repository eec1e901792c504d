from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watcher.errors import BadBody
from watcher.model import Post
from watcher.normalize import (
    MAX_HTML_DEPTH,
    canonical,
    content_hash,
    fold_text,
    html_document,
    html_to_text,
    looks_like_html,
    parse_time,
)


@pytest.mark.parametrize(
    "html,text",
    [
        ("<p>Hello&nbsp;<b>world</b></p>", "Hello world"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("line<br>break<br/>s", "line\nbreak\ns"),
        ("a <!-- hidden --> b", "a b"),
        ("<div>keep<script>drop()</script><style>p{}</style> tail</div>", "keep tail"),
        ('<img alt="[加油]" src="x.png">', "[加油]"),
        ("&lt;b&gt; is not a tag &amp; neither is *this*", "<b> is not a tag & neither is *this*"),
        ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
        ("<ul>\n  <li>a\n  one</li>\n  <li>b</li>\n</ul>", "a one\nb"),  # source newlines
        ("<div><div><p>deep</p></div></div><p>next</p>", "deep\n\nnext"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<pre>x = 1\ny = 2</pre>", "x = 1\ny = 2"),
        ("a<br><br>b", "a\n\nb"),
        ("", ""),
        ("plain, no markup", "plain, no markup"),
    ],
)
def test_html_to_text(html: str, text: str):
    assert html_to_text(html) == text


def test_weibo_shaped_html():
    html = (
        '第一行<br />第二行 <span class="url-icon"><img alt=[加油] src="//x/jiayou.png" '
        '/></span><br /><a href="https://m.weibo.cn/search?q=%23x%23"><span '
        'class="surl-text">#小米SU7#</span></a>'
    )
    assert html_to_text(html) == "第一行\n第二行 [加油]\n#小米SU7#"


@pytest.mark.parametrize(
    "raw,folded",
    [
        ("  a \t b  ", "a b"),
        ("a\u00a0b\u3000c", "a b c"),  # NBSP and ideographic space
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("e\u0301", "\u00e9"),  # NFC
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # ZWJ glues emoji: kept
        ("שלום עולם", "שלום עולם"),
    ],
)
def test_fold_text(raw: str, folded: str):
    assert fold_text(raw) == folded


def test_looks_like_html():
    assert looks_like_html("<p>x</p>") and looks_like_html("a &amp; b")
    assert not looks_like_html("a < b and c > d") and not looks_like_html("plain")


def post(**kw: object) -> Post:
    fields: dict[str, object] = {"id": "1", "url": "u", "text": "Hello world"} | kw
    return Post(**fields)  # type: ignore[arg-type]


def test_hash_ignores_counters_times_and_spacing():
    base = content_hash(post())
    assert content_hash(post(metrics={"likes": 10})) == base
    assert content_hash(post(edited_at=datetime.now(UTC), author="x")) == base
    assert content_hash(post(text="  Hello   world\u200b ")) == base


def test_hash_covers_text_title_and_media():
    base = content_hash(post())
    assert content_hash(post(text="Hello World")) != base
    assert content_hash(post(title="CW")) != base
    assert content_hash(post(media=("m1",))) != base
    assert content_hash(post(media=("a", "b"))) == content_hash(post(media=("b", "a")))
    # the separator keeps title and text apart
    assert content_hash(post(title="a", text="b")) != content_hash(post(title="", text="a\x1fb"))


def test_canonical_folds_what_is_stored():
    assert canonical(post(text=" a  b ", title=" T ")) == post(text="a b", title="T")


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-08-01T13:54:00.505Z", datetime(2026, 8, 1, 13, 54, 0, 505000, tzinfo=UTC)),
        ("2026-08-01T21:54:00+08:00", datetime(2026, 8, 1, 13, 54, tzinfo=UTC)),
        ("2026-08-01T13:54:00", datetime(2026, 8, 1, 13, 54, tzinfo=UTC)),
        ("not a time", None),
        ("", None),
    ],
)
def test_parse_time(value: str, expected: datetime | None):
    parsed = parse_time(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0)
        assert parsed.tzinfo in (UTC, UTC)


# --- markup the parser cannot read whole ------------------------------------------------------


def test_html_nested_past_the_parsers_depth_is_bad_body_not_cut_off() -> None:
    with pytest.raises(BadBody, match=f"nests deeper than {MAX_HTML_DEPTH} elements"):
        html_to_text("<p>" + "<b>" * MAX_HTML_DEPTH + "lost</p>")


def test_html_nested_just_under_the_depth_is_read() -> None:
    assert html_to_text("<b>" * (MAX_HTML_DEPTH - 3) + "kept") == "kept"


def test_html_document_is_whole_or_bad_body() -> None:
    page = html_document("<html><body><p>whole</p></body></html>", "https://example.test/")
    assert page.text_content() == "whole"
    deep = "<html><body>" + "<div>" * 1_000_000 + "lost"
    with pytest.raises(BadBody, match=r"^the page at https://example.test/ nests deeper"):
        html_document(deep, "https://example.test/")


def test_markup_mistakes_a_browser_repairs_are_not_refused() -> None:
    broken = "<html><body><p>a</span><b><i>b</b></i><table><p>c</table>" + "<font>" * 200
    assert html_document(broken, "https://example.test/").text_content() == "abc"
