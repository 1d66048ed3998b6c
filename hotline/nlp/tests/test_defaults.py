"""The shipped domain (§5.4.2) and type (§5.4.1) models and sub-category suggestion."""

import pytest

from hotline.nlp import defaults
from hotline.rules.taxonomy import APPEAL_TYPES, DEFAULT_SUBCATEGORIES, DOMAINS


def test_every_domain_has_a_few_dozen_seed_appeals():
    counts = {code: 0 for code in DOMAINS.codes}
    for domain, type_code, text in defaults.seed_appeals():
        assert type_code in APPEAL_TYPES and text
        if domain:
            counts[domain] += 1
    assert min(counts.values()) >= 20, counts


def test_every_type_has_seed_appeals():
    types = {t for _, t, _ in defaults.seed_appeals()}
    assert types == set(APPEAL_TYPES.codes)


def test_lexicon_codes_are_codes_of_the_taxonomy():
    lex = defaults.lexicon()
    assert set(lex["domain"]) == set(DOMAINS.codes)
    assert set(lex["type"]) == set(APPEAL_TYPES.codes)
    sub_codes = {code for subs in DEFAULT_SUBCATEGORIES.values() for code, _ in subs}
    assert set(lex["subcategory"]) <= sub_codes


@pytest.mark.clause("5.4.2")
def test_domain_model_predicts_the_chinese_labels_of_5_4_2():
    model = defaults.default_model("domain")
    assert sorted(model.labels) == sorted(t.label for t in DOMAINS)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("小区门口的路灯坏了好几天，晚上很黑", "urban_rural"),
        ("楼下烧烤店油烟太大，窗户都不敢开", "environment"),
        ("医院挂号排队太久，医生态度也不好", "health"),
        ("包工头拖欠我们三个月工资", "livelihood"),
        ("我们整个小区停水一天了", "public_service"),
        ("孩子今年上小学，学区怎么划分", "education_culture"),
    ],
)
def test_suggest_domain_for_obvious_appeals(text, code):
    # Medical insurance (医保) is 民生保障 in the labelled appeals the model learnt from
    # (their 劳动和社会保障), so it is no longer an "obvious" health case.
    top = defaults.suggest_domain(text)[0]
    assert top.code == code
    assert top.clause.startswith("§5.4.2")
    assert top.matched  # the words that drove it


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("请问公租房怎么申请，需要什么材料", "consult"),
        ("我要举报一家工厂晚上偷排污水", "report"),
        ("感谢社区工作人员，帮了我们大忙", "praise"),
        ("建议在学校门口增设红绿灯", "suggestion"),
    ],
)
def test_suggest_type_for_obvious_appeals(text, code):
    assert defaults.suggest_type(text)[0].code == code


def test_suggest_subcategory_ranks_children_of_the_domain():
    subs = defaults.suggest_subcategory("urban_rural", "路口的井盖丢了，下水道还在冒水")
    assert subs[0].code == "drainage"
    assert all(s.code in dict(DEFAULT_SUBCATEGORIES["urban_rural"]) for s in subs)


def test_suggest_subcategory_takes_the_centres_own_tree():
    tree = [("lamps", "路灯报修"), ("trees", "树木修剪")]
    assert (
        defaults.suggest_subcategory("urban_rural", "路灯坏了", subcategories=tree)[0].code
        == "lamps"
    )


def test_suggest_subcategory_says_nothing_without_evidence():
    assert defaults.suggest_subcategory("urban_rural", "你好") == []


def test_seed_model_is_cached_under_a_hash_of_the_seeds():
    model = defaults.seed_model("type")
    digest = defaults.seed_hash("type")
    target = defaults.cache_dir() / f"type-{digest}"
    assert (target / "meta.json").exists()
    assert model.meta["seed_hash"] == digest


def test_a_centres_own_model_directory_replaces_the_default(tmp_path):
    from hotline.nlp.classifier import Config, train

    train(
        ["路灯不亮", "路灯坏了", "噪音太吵", "噪音扰民"],
        ["城乡建设", "城乡建设", "环境保护", "环境保护"],
        config=Config(min_df=1),
    ).save(tmp_path / "mine")
    top = defaults.suggest_domain("路灯坏了", model_dir=tmp_path / "mine")[0]
    assert (top.code, top.label) == ("urban_rural", "城乡建设")


def test_warm_loads_everything():
    defaults.warm()
    assert {k for k, _ in defaults._models} >= {"domain", "type"}


def test_the_shipped_models_are_package_files_trained_as_recorded():
    """``make models`` output: the domain model from the mapped real appeals and the seeds,
    hashed n-grams only; the type model from the seeds."""
    domain = defaults.default_model("domain")
    assert domain is defaults.shipped_model("domain")
    assert domain.meta["kind"] == "domain" and "teddy2020" in domain.meta["source"]
    assert domain.config.hash_bits > 0
    assert set(domain.meta["domains_from_seeds_only"]) == {
        "public_safety",
        "housing",
        "public_service",
        "agriculture",
        "party_government",
    }
    assert defaults.default_model("type").meta["kind"] == "type"


def test_a_missing_shipped_model_falls_back_on_the_seeds(monkeypatch, tmp_path):
    monkeypatch.setattr(defaults, "SHIPPED_DIR", tmp_path / "none")
    monkeypatch.setattr(defaults, "_models", {})
    model = defaults.default_model("type")
    assert model.meta["source"] == "seed"
