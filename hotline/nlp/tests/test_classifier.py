"""The trainable classifier: any label set, confidence, evidence, save/load."""

import json

import numpy as np
import pytest

from hotline.nlp.classifier import (
    Config,
    ModelError,
    TextClassifier,
    cross_validate,
    metrics,
    train,
    train_from_records,
)

# A small made-up label set: a centre's classifier must learn whatever labels it brings.
EXAMPLES = {
    "路灯": [
        "小区门口路灯坏了",
        "路灯晚上不亮",
        "这条街的路灯一直闪",
        "路灯杆被撞歪了",
        "路灯不亮很黑",
    ],
    "噪音": [
        "楼下KTV噪音太吵",
        "广场舞音响太吵了",
        "工地夜间施工噪音",
        "半夜装修噪音扰民",
        "噪音吵得睡不着",
    ],
    "欠薪": [
        "老板拖欠工资不给",
        "包工头欠我工资",
        "公司三个月没发工资",
        "讨要拖欠的工资",
        "欠薪半年了",
    ],
}


def _data():
    texts, labels = [], []
    for label, items in EXAMPLES.items():
        texts += items
        labels += [label] * len(items)
    return texts, labels


@pytest.fixture(scope="module")
def model():
    texts, labels = _data()
    return train(texts, labels, config=Config(min_df=1))


def test_trains_on_its_own_label_set_and_ranks_labels(model):
    p = model.predict("我们这里路灯坏了好几天")
    assert model.labels == ["噪音", "欠薪", "路灯"]
    assert p.label == "路灯"
    assert [r.label for r in p.ranked][0] == "路灯"
    assert 0.0 < p.confidence <= 1.0
    assert p.ranked[0].confidence >= p.ranked[-1].confidence


def test_confidences_are_a_distribution(model):
    p = model.predict("工资被拖欠", top_k=3)
    assert sum(r.confidence for r in p.ranked) == pytest.approx(1.0, abs=1e-3)


def test_evidence_names_the_words_that_drove_the_label(model):
    p = model.predict("老板一直拖欠工资")
    words = [e.text for e in p.evidence]
    assert any("工资" in w or "拖欠" in w for w in words)
    assert all(e.weight > 0 for e in p.evidence)


def test_title_counts_as_part_of_the_appeal(model):
    assert model.predict("", title="噪音扰民").label == "噪音"


def test_empty_text_still_answers_with_a_ranked_list(model):
    p = model.predict("")
    assert len(p.ranked) == 3 and p.evidence == []


def test_save_and_load_give_identical_scores(model, tmp_path):
    model.save(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m")
    text = "小区广场舞音响太吵"
    assert np.allclose(model.scores(text), loaded.scores(text), atol=1e-5)
    assert loaded.predict(text).as_dict() == model.predict(text).as_dict()


def test_meta_json_records_labels_size_versions_and_hash(model, tmp_path):
    model.save(tmp_path / "m", {"source": "test"})
    meta = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    assert meta["labels"] == model.labels
    assert meta["n_train"] == 15
    assert meta["source"] == "test"
    assert {"numpy", "scikit-learn", "python", "format"} <= set(meta["versions"])
    assert len(meta["sha256"]) == 64


def test_a_tampered_model_is_refused(model, tmp_path):
    model.save(tmp_path / "m")
    weights = tmp_path / "m" / "weights.npz"
    weights.write_bytes(weights.read_bytes() + b"x")
    with pytest.raises(ModelError, match="sha256"):
        TextClassifier.load(tmp_path / "m")


def test_a_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="meta.json"):
        TextClassifier.load(tmp_path / "nothing")


def test_two_labels_are_enough():
    m = train(["路灯不亮", "路灯坏了", "噪音太吵", "噪音扰民"], ["a", "a", "b", "b"])
    assert m.predict("路灯").label == "a" and m.predict("噪音").label == "b"


def test_one_label_is_refused():
    with pytest.raises(ValueError, match="two distinct labels"):
        train(["a", "b"], ["x", "x"])


def test_train_from_records_skips_rows_without_label_or_text(tmp_path):
    texts, labels = _data()
    records = [("", t, lab) for t, lab in zip(texts, labels, strict=True)]
    records += [("", "没有标签", ""), ("", "", "路灯")]
    m = train_from_records(records, tmp_path / "m", Config(min_df=1))
    assert m.meta["n_train"] == 15
    assert (tmp_path / "m" / "meta.json").exists()


def test_svm_and_ensemble_estimators_train_too():
    texts, labels = _data()
    for estimator in ("svm", "ridge+svm"):
        m = train(texts, labels, config=Config(min_df=1, estimator=estimator))
        assert m.predict("拖欠工资").label == "欠薪"


def test_cross_validation_reports_accuracy_and_macro_f1():
    texts, labels = _data()
    result = cross_validate(texts, labels, config=Config(min_df=1), folds=5)
    assert result["n"] == 15
    assert 0.0 <= result["macro_f1"] <= 1.0
    assert set(result["per_class"]) == set(EXAMPLES)


def test_metrics_macro_f1_averages_classes_equally():
    result = metrics(["a", "a", "a", "b"], ["a", "a", "a", "a"])
    assert result["accuracy"] == 0.75
    assert result["per_class"]["b"]["f1"] == 0.0
    assert result["macro_f1"] == pytest.approx((1 / (1 + 0.5 * 1 / 3) * 1 + 0) / 2, abs=1e-3)


def test_the_neighbour_vote_is_saved_and_favours_the_label_of_similar_appeals(model, tmp_path):
    assert model.memory is not None
    idx, val, _ = model._features("", "楼下KTV噪音太吵了")
    vote = model.memory.vote(idx, val)
    assert model.labels[int(np.argmax(vote))] == "噪音"
    loaded = TextClassifier.load(model.save(tmp_path / "m"))
    assert loaded.memory is not None
    assert np.allclose(loaded.memory.vote(idx, val), vote)


def test_one_appeal_gets_the_same_vote_as_in_a_training_batch(model):
    from hotline.nlp.classifier import _blocks, _memory_votes, _Vectoriser

    vec = _Vectoriser(model.config)
    vec.vocab, vec.idf = model._vocab, model._idf
    appeals = [("", "半夜装修噪音"), ("路灯", "晚上路灯不亮"), ("", "工资拖欠")]
    batch = _memory_votes(
        vec.transform([_blocks(t, x, model.config) for t, x in appeals]), model.memory
    )
    for row, (title, text) in zip(batch, appeals, strict=True):
        assert np.allclose(row, model.memory.vote(*model._features(title, text)[:2]))


def test_without_neighbours_the_model_is_the_linear_part_alone():
    texts, labels = _data()
    m = train(texts, labels, config=Config(min_df=1, knn_k=0))
    assert m.memory is None
    idx, val, _ = m._features("", "路灯不亮")
    assert np.allclose(m.scores("路灯不亮"), val @ m._coef_t[idx] + m.intercept)


def test_bytes_are_the_one_serialised_form(model, tmp_path):
    """A model round-trips through bytes (what a database or storage object keeps) and a
    directory holds the same bytes."""
    data = model.to_bytes()
    again = TextClassifier.from_bytes(data)
    text = "小区广场舞音响太吵"
    assert again.predict(text).as_dict() == model.predict(text).as_dict()
    model.save(tmp_path / "m")
    assert TextClassifier.from_bytes((tmp_path / "m" / "weights.npz").read_bytes()).labels == (
        model.labels
    )
    with pytest.raises(ModelError):
        TextClassifier.from_bytes(b"not a model")


def test_a_hashed_model_stores_no_ngram_of_its_training_text(model):
    """Feature hashing: the saved vocabulary is bucket numbers, not n-gram keys."""
    from hotline.nlp.text import ngram_keys

    assert model.config.hash_bits == 20
    stored = set(model._vocab[0].tolist()) | set(model._vocab[1].tolist())
    assert max(stored) < 2**20
    trained_keys = set(ngram_keys("楼下ktv噪音太吵了", 2, 3).tolist())
    assert not (trained_keys & stored)  # 2- and 3-gram keys are all >= 2**21
    assert model.predict("楼下KTV噪音太吵了").evidence  # evidence comes from the appeal itself
