"""The kiosk process searches with pinyin keys a child process computed: the same results as
pypinyin in the process, pypinyin never imported by the kiosk, and a broken or missing keys
file leaves the search working (docs/adr/0785-attract-frame-first.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import search
from flows.pinyin_keys import catalogue_texts
from flows.services import Catalogue, ids
from kiosk import REPO_ROOT
from kiosk.adapters import pinyin_cache
from kiosk.adapters.pinyin_cache import ensure_keys, keys_file
from tests.flows.conftest import CATALOGUE

#: Chinese, full pinyin, initials, synonyms, homophones (居住正), English, mixed case, near misses.
QUERIES = ("sbjf", "shebao", "社保", "居住正", "kzm", "kaizhengming", "开证明", "退休", "银行",
           "hukou", "户口", "营业执照", "yyzz", "结婚证明", "医保", "yb", "不动产", "bdc", "公积金",
           "gjj", "出生", "social", "Social Insurance", "提取公积金", "驾驶证", "jiashizheng",
           "jsz", "JiaShiZheng", "驾照", "jiazhao", "行驶证", "重庆", "长期", "纳锐", "养老金",
           "社保缴废", "shebaojiaofe", "")


@pytest.fixture
def no_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(pinyin_cache, "SHARED_DIR", tmp_path / "shared")  # computed here
    search.use_keys(None)
    yield
    search.use_keys(None)


def _results(catalogue: Catalogue) -> dict[str, list[str]]:
    return {q: ids(catalogue.search(q, 60)) for q in QUERIES}


def test_keys_give_the_same_results_as_pypinyin(tmp_path: Path, no_keys: None) -> None:
    catalogue = Catalogue.load(CATALOGUE, check_fixtures=False)
    texts = catalogue_texts(catalogue)
    by_pypinyin = _results(catalogue)
    forms = {t: (search.full_pinyin(t), search.initials(t)) for t in texts}
    assert sum(len(v) for v in by_pypinyin.values()) > 100  # the queries do find things

    keys = ensure_keys(catalogue, tmp_path)  # the child process writes the file
    assert keys is not None and keys_file(catalogue, tmp_path).is_file()
    assert search.keys_in_use() is keys
    fresh = Catalogue.load(CATALOGUE, check_fixtures=False)
    assert _results(fresh) == by_pypinyin
    assert {t: (search.full_pinyin(t), search.initials(t)) for t in texts} == forms
    assert search.full_pinyin("居住正") == "juzhuzheng"  # a query read character by character


def test_a_broken_keys_file_leaves_the_search_working(tmp_path: Path, no_keys: None) -> None:
    catalogue = Catalogue.load(CATALOGUE, check_fixtures=False)
    keys_file(catalogue, tmp_path).parent.mkdir(parents=True, exist_ok=True)
    keys_file(catalogue, tmp_path).write_text("{not json", encoding="utf-8")
    assert ensure_keys(catalogue, tmp_path) is None
    assert search.keys_in_use() is None
    assert ids(catalogue.search("jsz"))[0] == "licence-jtw-driving"


def test_the_kiosk_catalogue_never_imports_pypinyin(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from kiosk.adapters import pinyin_cache
        from kiosk.adapters.catalogue import KioskCatalogue
        pinyin_cache.SHARED_DIR = Path({str(tmp_path / "shared")!r})
        catalogue = KioskCatalogue.load(Path({str(CATALOGUE)!r}), lambda session: None)
        catalogue.use_pinyin_cache(Path({str(tmp_path / "cache")!r}))
        catalogue.prepare_search()
        found = catalogue.search("jsz"), catalogue.search("居住正"), catalogue.search("开证明")
        assert found[0][0] == "licence-jtw-driving", found
        assert all(found), found
        assert "pypinyin" not in sys.modules, "pypinyin imported by the kiosk"
        print("ok")
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
    assert list((tmp_path / "cache").glob("*.json"))  # the keys were kept for the next start


def test_a_fresh_data_folder_reads_the_shared_keys(tmp_path: Path, no_keys: None) -> None:
    catalogue = Catalogue.load(CATALOGUE, check_fixtures=False)
    shared = pinyin_cache.SHARED_DIR
    ensure_keys(catalogue, shared)  # what set-up writes
    search.use_keys(None)
    fresh = tmp_path / "new-terminal" / "cache"
    assert ensure_keys(catalogue, fresh) is not None
    assert not fresh.exists()  # nothing computed, nothing copied
    assert ids(catalogue.search("jsz"))[0] == "licence-jtw-driving"
