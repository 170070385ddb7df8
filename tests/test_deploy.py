"""Deployment helpers against moto server: the site lands in S3 with the right headers."""

from __future__ import annotations

import pytest

from ops.deploy import DeployError, content_type, stage_vocabularies, upload_site
from tests.aws import unique_name


def test_vocabularies_are_staged_next_to_the_relay(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "regions.yaml").write_text("- {code: '01'}\n", encoding="utf-8")
    (tmp_path / "data" / "notes.txt").write_text("not a vocabulary", encoding="utf-8")
    staged = stage_vocabularies(tmp_path)
    assert staged == tmp_path / "functions" / "data"
    assert [p.name for p in staged.iterdir()] == ["regions.yaml"]


def test_upload_refuses_an_unbuilt_site(tmp_path, moto_server):
    with pytest.raises(DeployError, match="index.html is missing"):
        upload_site(tmp_path, "any-bucket", moto_server.client("s3"))


def test_site_is_uploaded_with_types_and_cache_headers(tmp_path, moto_server):
    (tmp_path / "mentors" / "lea").mkdir(parents=True)
    (tmp_path / "index.html").write_text("<h1>Accueil</h1>", encoding="utf-8")
    (tmp_path / "mentors" / "lea" / "index.html").write_text("<h1>Léa</h1>", encoding="utf-8")
    (tmp_path / "site.css").write_text("body{}", encoding="utf-8")
    s3 = moto_server.client("s3")
    bucket = unique_name("site")
    s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    seen = []

    sent = upload_site(tmp_path, bucket, s3, lambda done, total: seen.append((done, total)))

    assert sent == 3 and seen[-1] == (3, 3)
    page = s3.get_object(Bucket=bucket, Key="mentors/lea/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=300"
    assert page["Body"].read().decode() == "<h1>Léa</h1>"
    assert s3.head_object(Bucket=bucket, Key="site.css")["CacheControl"] == "public, max-age=86400"


def test_pagefind_files_are_binary():
    from pathlib import Path

    assert content_type(Path("fragment/fr_1.pf_fragment")) == "application/octet-stream"
    assert content_type(Path("pagefind.js")).startswith("text/javascript")
