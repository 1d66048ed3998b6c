"""The one normaliser, and the n-gram keys the classifier and dedup share."""

import numpy as np

from hotline.nlp.text import hash_keys, head, key_text, ngram_keys, normalise


def test_normalise_folds_full_width_forms_case_and_spaces():
    assert normalise(" Ａｂ１２３  路灯\u3000坏了？\n") == "ab123 路灯 坏了?"


def test_normalise_drops_links_and_masked_runs():
    assert normalise("详见 https://example.org/a?b=1 ，联系人王**，电话138****0000") == (
        "详见 ,联系人王 ,电话138 0000"
    )


def test_normalise_accepts_none():
    assert normalise(None) == ""


def test_a_digit_run_is_one_zero_in_ngrams():
    grams = [key_text(int(k)) for k in ngram_keys("12号楼3单元", 1, 2)]
    assert grams == ["0", "号", "楼", "0", "单", "元", "0号", "号楼", "楼0", "0单", "单元"]


def test_hashed_keys_fall_in_range_and_are_stable():
    keys = ngram_keys("路灯坏了", 1, 3)
    buckets = hash_keys(keys, 18)
    assert buckets.min() >= 0 and buckets.max() < 2**18
    assert np.array_equal(buckets, hash_keys(keys.copy(), 18))
    assert len(set(buckets.tolist())) == len(keys)  # no collision among nine n-grams


def test_ngram_keys_round_trip_to_the_strings_they_stand_for():
    grams = [key_text(int(k)) for k in ngram_keys("路灯坏了", 1, 3)]
    assert grams == ["路", "灯", "坏", "了", "路灯", "灯坏", "坏了", "路灯坏", "灯坏了"]


def test_ngrams_never_span_punctuation():
    grams = {key_text(int(k)) for k in ngram_keys("停水，停电", 2, 2)}
    assert grams == {"停水", "停电"}


def test_ngram_keys_of_different_lengths_never_collide():
    keys = ngram_keys("一一一", 1, 3).tolist()
    assert len(set(keys)) == 3  # 一, 一一, 一一一


def test_head_is_the_title_or_the_start_of_the_body():
    assert head("路灯不亮", "正文") == "路灯不亮"
    assert head("", "路灯不亮已经一周了", size=4) == "路灯不亮"
