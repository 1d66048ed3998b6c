"""The learned re-ranking of the first BM25F candidates (``hotline/search/rerank.py``)."""

import numpy as np

from hotline.search import Engine, Params, rerank

ENTRIES = [
    {
        "id": 1,
        "title": "路灯报修",
        "answer": "a3区路灯报修请拨打市政服务热线，维修一般三个工作日内完成。",
    },
    {
        "id": 2,
        "title": "路灯报修",
        "answer": "a5区路灯报修请拨打市政服务热线，维修一般三个工作日内完成。",
    },
    {"id": 3, "title": "公交线路", "answer": "805路公交车改道方案正在论证，2019年底前公布。"},
    {"id": 4, "title": "公交线路", "answer": "公交车改道方案正在论证，年底前公布结果。"},
]


def test_the_shipped_weights_are_numbers_for_the_features_of_this_code():
    model = rerank.shipped()
    assert model is not None
    assert model.coef.shape == (len(rerank.FEATURES),)
    # Sharing the query's district helps, naming another one hurts.
    names = list(rerank.FEATURES)
    assert model.coef[names.index("shared_places")] > 0
    assert model.coef[names.index("other_places")] < 0


def test_an_entry_about_the_querys_district_comes_first():
    engine = Engine()
    engine.build(ENTRIES)
    assert [h.id for h in engine.search("A5区路灯坏了怎么报修", limit=2)] == [2, 1]
    assert [h.id for h in engine.search("A3区路灯坏了怎么报修", limit=2)] == [1, 2]


def test_a_shared_number_lifts_the_entry_that_has_it():
    engine = Engine()
    engine.build(ENTRIES)
    assert engine.search("805路公交车什么时候改道", limit=1)[0].id == 3


def test_depth_zero_is_bm25f_alone_and_candidates_expose_the_features():
    plain = Engine(params=Params(rerank_depth=0))
    plain.build(ENTRIES)
    ids, features = plain.candidates("A5区路灯坏了怎么报修", depth=4)
    assert features.shape == (len(ids), len(rerank.FEATURES))
    assert features[0, 0] == 1.0  # the best candidate's score ratio
    bm25 = [h.id for h in plain.search("A5区路灯坏了怎么报修", limit=len(ids))]
    assert bm25 == ids


def test_fitting_learns_which_feature_marks_the_relevant_entry():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(rerank.FEATURES)))
    relevant = x[:, 4] > 0.5  # only "shared_places" decides
    model = rerank.fit(x, relevant)
    assert int(np.argmax(model.coef)) == 4
    again = rerank.Reranker.from_dict(model.as_dict())
    assert np.allclose(again.score(x), model.score(x), atol=1e-3)  # rounded to 6 places
