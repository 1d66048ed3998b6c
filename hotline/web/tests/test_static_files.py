"""Static files are served compressed under hashed names with a year's cache, and
/favicon.ico answers (issue 16 item 9)."""

from __future__ import annotations

import re

import pytest
from django.templatetags.static import static
from django.test import Client, override_settings

from hotline.common import staticfiles


@pytest.fixture(scope="module")
def collected_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, DEBUG=False):
        assert staticfiles.is_stale()
        assert staticfiles.collect_if_stale(say=lambda _: None)
        assert not staticfiles.is_stale()  # a second start does not collect again
    return root


@pytest.fixture
def collected(collected_root, db):
    with override_settings(STATIC_ROOT=collected_root, DEBUG=False):
        yield collected_root


def test_a_hashed_static_file_is_cached_for_a_year_and_compressed(collected):
    url = static("web/workbench.css")
    assert re.fullmatch(r"/static/web/workbench\.[0-9a-f]{12}\.css", url), url
    r = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert r.status_code == 200
    assert "max-age=315360000" in r["Cache-Control"] and "immutable" in r["Cache-Control"]
    assert r["Content-Encoding"] in ("br", "gzip")
    # a page links the hashed names
    page = Client().get("/login/").content.decode()
    assert url in page


def test_the_plain_name_is_not_cached_for_long(collected):
    r = Client().get("/static/web/workbench.css")
    assert r.status_code == 200
    assert "max-age=315360000" not in r.get("Cache-Control", "")


def test_favicon_is_not_404(collected):
    r = Client().get("/favicon.ico")
    assert r.status_code == 302
    icon = Client().get(r["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_without_collected_files_pages_link_plain_names(db, tmp_path):
    (tmp_path / "empty").mkdir()
    with override_settings(STATIC_ROOT=tmp_path / "empty", DEBUG=False):
        assert static("web/workbench.css") == "/static/web/workbench.css"
        assert Client().get("/favicon.ico")["Location"] == "/static/web/favicon.ico"
        assert Client().get("/static/web/favicon.ico").status_code == 200
