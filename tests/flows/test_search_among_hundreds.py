"""Finding one item among hundreds: Chinese, pinyin, initials, synonyms (开证明, 退休), a wrong
character, a homophone; ranked by how often residents at this terminal completed each item;
browse counts by theme and department."""

from __future__ import annotations

from flows.services import Catalogue, ids
from tests.flows.conftest import CATALOGUE


def _catalogue() -> Catalogue:
    return Catalogue.load(CATALOGUE, check_fixtures=False)


def test_the_catalogue_is_in_the_hundreds_of_search_forms() -> None:
    catalogue = _catalogue()
    assert len(catalogue.available()) >= 90


def test_chinese_pinyin_and_initials_find_a_licence_kind() -> None:
    catalogue = _catalogue()
    for query in ("驾驶证", "jiashizheng", "jsz", "JiaShiZheng", "驾照", "jiazhao"):
        assert ids(catalogue.search(query))[0] == "licence-jtw-driving", query


def test_synonyms_find_the_right_items() -> None:
    catalogue = _catalogue()
    proofs = ids(catalogue.search("开证明", 60))
    assert "licence-rsj-pension-cert" in proofs[:10]
    assert {"social-insurance-certificate", "tax-payment"} <= set(proofs)  # hand-written too
    for item in proofs:  # each is a proof, or says residents ask for it as one
        entry = catalogue.entries[item]
        assert entry.definition is not None
        assert "证明" in entry.title() or any("证明" in k for k in entry.definition.keywords), \
            entry.title()
    retire = ids(catalogue.search("退休"))
    assert retire[0] == "licence-rsj-retire"
    assert "elderly-allowance" in retire  # through 养老/老年
    assert set(ids(catalogue.search("kzm", 60))) == set(ids(catalogue.search("kaizhengming", 60)))


def test_a_wrong_character_or_a_homophone_still_finds_it() -> None:
    catalogue = _catalogue()
    assert ids(catalogue.search("居住正"))[0] == "licence-gaj-residence"  # homophone of 证
    assert "licence-gaj-residence" in ids(catalogue.search("juzhzheng"))  # a letter left out
    assert "licence-jtw-driving" in ids(catalogue.search("jiashizhemg"))  # one letter wrong


def test_nonsense_finds_nothing_and_never_raises() -> None:
    catalogue = _catalogue()
    for query in ("", "   ", "zzzzzzzz", "'; drop table", "\x00\x01", "证" * 40, "🙂"):
        assert isinstance(catalogue.search(query), list)
    assert catalogue.search("qqqqxxxx") == []


def test_local_completions_rank_equal_matches() -> None:
    catalogue = _catalogue()
    plain = catalogue.search("开证明")
    direct = [e.id for e in plain if e.definition and "开证明" in e.definition.keywords]
    assert len(direct) >= 3
    last = direct[-1]  # an equal match (the keyword itself), listed last by name
    ranked = ids(catalogue.search("开证明", usage={last: 40}))
    assert ranked[0] == last
    assert ids(catalogue.search("驾驶证", usage={"licence-jtw-taxi": 1000}))[0] == \
        "licence-jtw-driving"  # never above a better match


def test_themes_and_departments_with_counts() -> None:
    catalogue = _catalogue()
    themes = dict(catalogue.themes())
    for theme in ("生育", "就业", "养老", "医保", "住房", "婚姻", "户籍", "企业经营"):
        assert themes.get(theme, 0) > 0, theme
    assert sum(1 for e in catalogue.available() if "婚姻" in e.themes) == themes["婚姻"]
    departments = dict(catalogue.departments())
    assert len(departments) >= 15
    assert departments["演示区民政局"] >= 5
