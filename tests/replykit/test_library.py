"""Issue 20, 1: the statute library loaded from the vendored files, with versions and sources;
claim types whose every citation resolves to an article the library holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from mediation.replykit import library
from mediation.replykit.models import ClaimPoint, ClaimType, ReplyFrame, StatuteArticle
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

SOURCE = yaml.safe_load((library.DATA / "articles.yaml").read_text(encoding="utf-8"))


def test_every_numbered_article_is_loaded_verbatim_with_its_source(legal_library):
    numbered = [e for e in SOURCE if e.get("number") is not None]
    assert legal_library.articles_added == len(numbered) == StatuteArticle.objects.count()
    for entry in numbered:
        article = StatuteArticle.objects.get(short=entry["short"], number=entry["number"])
        assert article.text == (entry.get("text") or "")
        assert article.law == entry["law"]
        assert article.source == (entry.get("source") or "")
    # 九民纪要 is held by title and paragraph only: no text was found, none is invented.
    para = StatuteArticle.objects.get(short="九民纪要", number=72)
    assert para.text == "" and not para.verbatim
    assert para.citation == "《全国法院民商事审判工作会议纪要》第72条"
    assert StatuteArticle.objects.get(short="民法典", number=577).citation == (
        "《中华人民共和国民法典》第五百七十七条"
    )


def test_at_least_eight_claim_types_each_a_whole_kit(legal_library):
    types = list(ClaimType.objects.prefetch_related("points__articles", "needs"))
    assert len(types) >= 8
    for ct in types:
        kinds = {p.kind for p in ct.points.all()}
        assert kinds == {"element", "defence"}, ct.code
        assert all(p.articles.exists() for p in ct.points.all()), ct.code
        assert {n.side for n in ct.needs.all()} == {"customer", "bank"}, ct.code
        cited = library.read_citations(ct.reasoning)
        assert cited.articles and not cited.unknown, ct.code
        assert not library.check_template(ct.reasoning), ct.code
    for frame in ReplyFrame.objects.all():
        assert not library.check_template(frame.template)


def test_loading_again_keeps_what_an_administrator_changed(legal_library):
    ct = ClaimType.objects.get(code="card_fee")
    ct.reasoning = "关于年费：[[民法典:496]]。"
    ct.save()
    again = library.load_library()
    assert again.articles_added == 0 and again.claim_types_added == 0
    assert ClaimType.objects.get(code="card_fee").reasoning == "关于年费：[[民法典:496]]。"
    library.load_library(refresh=True)
    assert "银行卡纠纷规定:2" in ClaimType.objects.get(code="card_fee").reasoning


def test_a_file_citing_an_article_the_library_lacks_is_refused(tmp_path: Path, db):
    for name in ("articles.yaml", "claim_types.yaml"):
        shutil.copy(library.DATA / name, tmp_path / name)
    kit = (tmp_path / "claim_types.yaml").read_text(encoding="utf-8")
    (tmp_path / "claim_types.yaml").write_text(
        kit.replace('"商业银行法:50"', '"商业银行法:999"', 1), encoding="utf-8"
    )
    with pytest.raises(CommandError) as refused:
        call_command("load_legal_library", "--data", str(tmp_path))
    assert "商业银行法:999" in str(refused.value)
    assert not ClaimPoint.objects.exists()  # nothing half-loaded


def test_a_superseded_article_is_no_longer_cited(legal_library, admin_user):
    article = StatuteArticle.objects.get(short="商业银行法", number=50)
    assert library.read_citations("见[[商业银行法:50]]").articles == [article]
    assert library.articles_supersede(actor=admin_user, article_ids=[article.pk], note="修订") == 1
    cited = library.read_citations("见[[商业银行法:50]]")
    assert cited.articles == [] and cited.unknown == ["[[商业银行法:50]]"]
    assert AuditEvent.objects.filter(action="library.article_superseded").exists()
    # A new version may then be added under the same number.
    StatuteArticle.objects.create(
        law=article.law,
        short=article.short,
        number=50,
        label=article.label,
        kind="law",
        text="（新文本）",
    )
    assert library.read_citations("见[[商业银行法:50]]").articles[0].text == "（新文本）"


def test_a_broken_template_is_an_error_not_a_crash():
    assert library.check_template("{% if outcome %}未闭合")
    assert library.check_template("[[民法典:99999]]")
