"""N-gram keys: the one tokenisation the classifier and dedup share."""

from hotline.nlp.text import head, key_text, ngram_keys, normalise


def test_normalise_folds_full_width_digits_and_case():
    assert normalise("Ａｂ１２３ 路灯\u3000坏了") == "ab0 路灯 坏了"


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
