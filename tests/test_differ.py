from __future__ import annotations

import random
from itertools import pairwise

import pytest
import regex

from watcher import differ
from watcher.differ import Hunk, added, changed, diff_texts, excerpt, removed, tokenize
from watcher.model import Diff

GRAPHEME = regex.compile(r"\X")


def side(diff: Diff, op: int) -> str:
    """The text one side of the diff stands for: op -1 gives the old text, 1 the new."""
    return "".join(text for kind, text in diff if kind in (0, op))


def clusters_of_pieces(diff: Diff, op: int) -> list[str]:
    return [c for kind, text in diff if kind in (0, op) for c in GRAPHEME.findall(text)]


def assert_sound(old: str, new: str, diff: Diff) -> None:
    """Round trip, no empty or doubled ops, and no op boundary inside a grapheme cluster."""
    assert side(diff, -1) == old
    assert side(diff, 1) == new
    assert all(text for _, text in diff)
    assert all(a[0] != b[0] for a, b in pairwise(diff))
    assert all(op in (-1, 0, 1) for op, _ in diff)
    # Re-clustering piece by piece gives the sources' clusters only if no piece splits one.
    assert clusters_of_pieces(diff, -1) == GRAPHEME.findall(old)
    assert clusters_of_pieces(diff, 1) == GRAPHEME.findall(new)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "The colour is red",
            "The color is red",
            ((0, "The "), (-1, "colour"), (1, "color"), (0, " is red")),
        ),
        (
            "The quick brown fox jumps",
            "The quick red fox jumps",
            ((0, "The quick "), (-1, "brown"), (1, "red"), (0, " fox jumps")),
        ),
        (
            "Delivered 2.8 thousand cars",
            "Delivered 2.9 thousand cars",
            ((0, "Delivered "), (-1, "2.8"), (1, "2.9"), (0, " thousand cars")),
        ),
        (
            "Привет мир",
            "Привет друг",
            ((0, "Привет "), (-1, "мир"), (1, "друг")),
        ),
        (
            "오늘 날씨가 좋다",
            "오늘 날씨가 나쁘다",
            ((0, "오늘 날씨가 "), (-1, "좋다"), (1, "나쁘다")),
        ),
        (
            "שלום עולם",
            "שלום חבר",
            ((0, "שלום "), (-1, "עולם"), (1, "חבר")),
        ),
    ],
)
def test_space_separated_scripts_change_whole_words(old: str, new: str, expected: Diff) -> None:
    diff = diff_texts(old, new)
    assert diff == expected
    assert_sound(old, new, diff)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("我喜欢猫", "我爱猫", ((0, "我"), (-1, "喜欢"), (1, "爱"), (0, "猫"))),
        (
            "东京很大，人很多。",
            "东京很小，人很多。",
            ((0, "东京很"), (-1, "大"), (1, "小"), (0, "，人很多。")),
        ),
        ("東京へ行きます", "大阪へ行きます", ((-1, "東京"), (1, "大阪"), (0, "へ行きます"))),
        ("コーヒーを飲む", "コーラを飲む", ((0, "コー"), (-1, "ヒー"), (1, "ラ"), (0, "を飲む"))),
    ],
)
def test_cjk_is_diffed_per_character(old: str, new: str, expected: Diff) -> None:
    diff = diff_texts(old, new)
    assert diff == expected
    assert_sound(old, new, diff)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("colour, don't", ("colour", ",", " ", "don't")),
        ("28,000 台", ("28,000", " ", "台")),
        ("小米SU7交付", ("小", "米", "SU7", "交", "付")),
        ("“好”，。", ("“", "好", "”", "，", "。")),
        ("a  \n b", ("a", "  \n ", "b")),
        ("hi👍🏽👨‍👩‍👧🇨🇳🇯🇵", ("hi", "👍🏽", "👨‍👩‍👧", "🇨🇳", "🇯🇵")),
        ("cafe\u0301!", ("cafe\u0301", "!")),
        ("", ()),
    ],
)
def test_tokenize(text: str, tokens: tuple[str, ...]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("old", "new", "gone", "came"),
    [
        ("nice 👍 work", "nice 👍🏽 work", "👍", "👍🏽"),
        ("nice 👍🏽 work", "nice 👍🏿 work", "👍🏽", "👍🏿"),
        ("our 👨‍👩‍👧 trip", "our 👨‍👩‍👦 trip", "👨‍👩‍👧", "👨‍👩‍👦"),
        ("go 🇨🇳🇯🇵 go", "go 🇨🇳🇰🇷 go", "🇯🇵", "🇰🇷"),
        ("flag 🇨🇳 here", "flag 🇨🇦 here", "🇨🇳", "🇨🇦"),
        ("我们👨‍👩‍👧去", "我们👨‍👩去", "👨‍👩‍👧", "👨‍👩"),
    ],
)
def test_emoji_are_never_split(old: str, new: str, gone: str, came: str) -> None:
    diff = diff_texts(old, new)
    assert_sound(old, new, diff)
    assert removed(diff) == (gone,)
    assert added(diff) == (came,)


def test_quoted_sentence_removed_from_chinese_text() -> None:
    quote = "王老师说过：“读书是一场漫长的旅行，急不得。”"
    old = f"新书本周上市，首印三万册，谢谢大家的支持！{quote}我们下个月在杭州见。[鼓掌]"
    new = "新书本周上市，首印三万册，谢谢大家的支持！我们下个月在杭州见。[鼓掌]"
    diff = diff_texts(old, new)
    assert removed(diff) == (quote,)
    assert added(diff) == ()
    assert_sound(old, new, diff)


@pytest.mark.parametrize("text", ["same", "同じ文章です。", "👨‍👩‍👧 ok", "a\nb"])
def test_identical_texts_are_one_equal_op(text: str) -> None:
    diff = diff_texts(text, text)
    assert diff == ((0, text),)
    assert not changed(diff)
    assert excerpt(diff) == ()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "", ()),
        ("", "新内容", ((1, "新内容"),)),
        ("old text", "", ((-1, "old text"),)),
    ],
)
def test_empty_texts(old: str, new: str, expected: Diff) -> None:
    assert diff_texts(old, new) == expected


def test_changed_removed_added() -> None:
    diff: Diff = ((0, "a "), (-1, "b"), (1, "c"), (0, " d "), (-1, "e"))
    assert changed(diff)
    assert removed(diff) == ("b", "e")
    assert added(diff) == ("c",)
    assert not changed(((0, "x"),))
    assert not changed(())


HAND_MADE = [
    ("Hello world", "Hello, world!"),
    ("one two three four", "one three two four"),
    ("line one\nline two\n", "line one\nline 2\nline three\n"),
    ("5月，小米SU7交付量超过2.8万台。", "5月，小米SU7交付量超过3万台！"),
    ("مرحبا بالعالم", "مرحبا يا عالم"),
    ("e\u0301te\u0301", "ete\u0301"),
    ("🇨🇳🇯🇵🇰🇷", "🇯🇵🇰🇷🇨🇳"),
    ("👍🏽👍🏽👍🏽", "👍🏽👍👍🏽"),
    ("   ", " \n "),
    ("abc", "xyz"),
    ("a" * 500, "a" * 499 + "b"),
    ("タイトル：テスト", "タイトル：本番"),
    ("Wait... what?!", "Wait… what?"),
    # Private-use characters in the text itself must not collide with the token codes.
    ("\U000f0000 word \U000f0001", "\U000f0000 other \U000f0001 words"),
]

# Pieces random mutations draw from: words, CJK, combining marks, emoji parts, ZWJ, flags.
ALPHABET = [
    "a", "b", "z", "é", "\u0301", " ", "  ", "\n", ".", ",", "'", "2", "8", "word", "the",
    "猫", "狗", "我", "。", "，", "“", "”", "カ", "ー", "한", "мир", "ש", "👍", "\U0001f3fd",
    "\u200d", "👨", "👩", "👧", "🇨", "🇳", "🇯", "🇵", "\ufe0f", "\u20e3", "#", "\r\n",
]  # fmt: skip


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        i = rng.randint(0, len(text))
        j = min(len(text), i + rng.randint(0, 6))
        insert = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 3)))
        text = text[:i] + insert + text[j:]
    return text


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))


def test_round_trip_on_hand_made_pairs() -> None:
    for old, new in HAND_MADE:
        assert_sound(old, new, diff_texts(old, new))
        assert_sound(new, old, diff_texts(new, old))


def test_round_trip_on_random_mutations() -> None:
    rng = random.Random(20250601)
    bases = [old for old, _ in HAND_MADE] + [random_text(rng) for _ in range(40)]
    for _ in range(600):
        old = rng.choice(bases)
        new = mutate(old, rng)
        diff = diff_texts(old, new)
        assert_sound(old, new, diff)
        assert changed(diff) == (old != new)


def test_falls_back_to_a_character_diff_when_out_of_code_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(differ, "_CODE_RANGES", (range(0xF0000, 0xF0002),))
    old, new = "alpha beta gamma delta", "alpha beta epsilon delta"
    diff = diff_texts(old, new)
    assert side(diff, -1) == old
    assert side(diff, 1) == new
    assert changed(diff)


@pytest.mark.parametrize("timeout", [0.0, 0.000001, 0.5, 2])
def test_timeout_is_accepted(timeout: float) -> None:
    rng = random.Random(7)
    old = " ".join(rng.choice(["lorem", "ipsum", "dolor", "猫", "👍🏽"]) for _ in range(3000))
    new = mutate(mutate(old, rng), rng)
    assert_sound(old, new, diff_texts(old, new, timeout=timeout))


# -- excerpt ------------------------------------------------------------------------------------

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]


def long_text(rng: random.Random, size: int = 20_000) -> str:
    parts: list[str] = []
    length = 0
    while length <= size:  # the join adds one space fewer than counted
        word = rng.choice(WORDS) + str(rng.randint(0, 999))
        parts.append(word)
        length += len(word) + 1
    return " ".join(parts)


def changed_ops(ops: Diff) -> list[tuple[int, str]]:
    return [(op, text) for op, text in ops if op != 0]


def edge_context(hunk: Hunk) -> tuple[str, str]:
    first, last = hunk.ops[0], hunk.ops[-1]
    return (first[1] if first[0] == 0 else "", last[1] if last[0] == 0 else "")


def test_excerpt_of_a_long_text_with_scattered_edits() -> None:
    rng = random.Random(42)
    old = long_text(rng)
    assert len(old) >= 20_000
    new = old
    # Four edits far apart (from the end, so earlier offsets stay valid): replace, insert, delete.
    new = new[:18_000] + "ZULU-REPLACED " + new[18_010:]
    new = new[:12_000] + " 插入的新句子。" + new[12_000:]
    new = new[:7_000] + new[7_030:]
    new = new[:1_000] + "👨‍👩‍👧 " + new[1_000:]
    diff = diff_texts(old, new)
    assert_sound(old, new, diff)

    hunks = excerpt(diff)
    assert len(hunks) == 4
    for hunk in hunks:
        before, after = edge_context(hunk)
        assert len(before) <= 60 and len(after) <= 60
        assert not hunk.starts_at_beginning and not hunk.ends_at_end
        assert len(side(hunk.ops, -1)) < 200 and len(side(hunk.ops, 1)) < 200
        assert all(text for _, text in hunk.ops)
        # Context is cut at a word edge: each piece of it is whole words of the text.
        assert before == "" or f" {before}" in f" {old}"
        assert after == "" or f"{after} " in f"{old} "
    assert [op for h in hunks for op in changed_ops(h.ops)] == changed_ops(diff)


def test_excerpt_merges_changes_whose_contexts_touch() -> None:
    middle = "m" * 50 + " " + "n" * 50  # 101 characters: under 2 × 60
    old = "start " + "A" + " " + middle + " " + "B" + " end"
    new = "start " + "X" + " " + middle + " " + "Y" + " end"
    hunks = excerpt(diff_texts(old, new))
    assert len(hunks) == 1
    assert hunks[0].starts_at_beginning and hunks[0].ends_at_end
    assert side(hunks[0].ops, -1) == old


def test_excerpt_splits_changes_far_apart() -> None:
    filler = " ".join(["word"] * 60)  # 299 characters
    old = f"A {filler} B"
    new = f"X {filler} Y"
    hunks = excerpt(diff_texts(old, new), context=20)
    assert len(hunks) == 2
    assert hunks[0].starts_at_beginning and not hunks[0].ends_at_end
    assert not hunks[1].starts_at_beginning and hunks[1].ends_at_end
    assert hunks[0].ops == ((-1, "A"), (1, "X"), (0, " word word word word"))
    assert hunks[1].ops == ((0, "word word word word "), (-1, "B"), (1, "Y"))


def test_excerpt_cuts_cjk_context_per_character_and_never_splits_emoji() -> None:
    old = "开头" + "👨‍👩‍👧" * 40 + "中间的文字很长很长" * 10 + "旧" + "结尾的文字" * 20
    new = old.replace("旧", "新")
    for context in (1, 7, 10, 13, 60):
        for hunk in excerpt(diff_texts(old, new), context=context):
            before, after = edge_context(hunk)
            assert len(before) <= context and len(after) <= context
            for text in (before, after):
                assert "".join(GRAPHEME.findall(text)) == text
                assert text.count("\u200d") == 2 * text.count("👧")


def test_excerpt_with_zero_context_keeps_only_changes() -> None:
    diff = diff_texts("keep this A and that", "keep this B and that")
    assert excerpt(diff, context=0) == (Hunk(((-1, "A"), (1, "B")), False, False),)


def test_excerpt_of_a_change_at_both_ends() -> None:
    diff = diff_texts("old middle old", "new middle new")
    (hunk,) = excerpt(diff)
    assert hunk.ops == diff
    assert hunk.starts_at_beginning and hunk.ends_at_end
